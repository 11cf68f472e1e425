#!/bin/sh
# classes.sh - a class over real HTTP with curl and jq, as a teacher and
# three students would: sh tests/classes.sh build/test/mmlabd
#
#   teacher   only the instructor token runs a class (401 without a token,
#             403 with a student's); a class, its join code; the classic
#             three-part question as one assignment (zone: does kmalloc
#             memory come from the first 896 MB; kvmalloc: where do
#             vmalloc's frames come from; kmap and lowmem: how a 1 GiB
#             kernel reaches RAM above 1 GiB), and a second one with a due
#             time a few seconds away; every refusal of a bad class,
#             assignment or name, exactly
#   join      three students join; neighbours get different variants; a
#             name on the roster is 409 name-taken, with that student's
#             own token 200 and the same student and exercises; an
#             assignment made later is drawn at the student's next GET
#             /v1/me, not when the teacher makes it
#   secrecy   no seed anywhere a student reads; another student's
#             exercise is 404; the grades, the roster and another
#             student's attempts are 403 to a student; before the rule
#             allows, a wrong field has no feedback and reveal is 409
#   answers   right, partly right, wrong and malformed (400, no attempt
#             spent); reveal after full marks, after the last attempt,
#             and after the due time; the gradebook JSON, CSV and
#             Gradescope export exact; every attempt's time in the
#             teacher's view equals the one the student's GET shows
#   crash     students answer in a loop and the daemon is killed (-9)
#             mid-run: after the restart every acknowledged answer is
#             graded, with its score and time, and the gradebook is the
#             same to the byte after a clean restart; a join whose write
#             fails (the store locked) leaves nothing behind
#   limits    64 assignments a class, 500 students, 256 classes, 10
#             attempts, 64-byte names: one more is refused, exactly
#
# Exits non-zero if any check failed; the last line is "N passed, M failed".

. "$(dirname "$0")/lib.sh"
MMLABD=${1:-build/test/mmlabd}
mm_setup classes
MM_ANSWER=1
P=https://mmlab.dev/problems/
INSTR=instructor-secret-0123456789
AI="Authorization: Bearer $INSTR"

# problem STATUS SLUG DESCRIPTION : an RFC 9457 problem of that type
problem() {
	got=$(jq -r '[.type, .status, ((.detail // "") | length > 20),
		      ((.title // "") != "")] | map(tostring) | join(" ")' \
		 "$O" 2>/dev/null)
	if [ "$ST $TYPE" = "$1 application/problem+json" ] &&
	   [ "$got" = "$P$2 $1 true true" ]; then
		ok
	else
		bad "$3: want $1 $2 (got $ST $TYPE $got)"
	fi
}

# detail TEXT DESCRIPTION : the problem's detail contains TEXT
detail() {
	if jq -r .detail "$O" | grep -qF -- "$1"; then ok
	else bad "$2: detail lacks '$1': $(jq -r .detail "$O")"; fi
}

# differ A B : the files are not the same
differ() { ! cmp -s "$1" "$2"; }

# as TOKEN METHOD PATH [BODY] : a request with TOKEN (none if empty)
as() {
	a_tok=$1 a_m=$2 a_p=$3
	shift 3
	if [ $# -gt 0 ]; then
		req "$a_m" "$a_p" ${a_tok:+-H "Authorization: Bearer $a_tok"} \
			-H 'Content-Type: application/json' -d "$1"
	else
		req "$a_m" "$a_p" ${a_tok:+-H "Authorization: Bearer $a_tok"}
	fi
}

start() {
	mm_start classes "$TMP/daemon.$1.log" --data "$TMP/data" \
		--instructor-token "$INSTR" --rate 0 --quiet
}

start 1 || { summary; exit 1; }

# --- the teacher ------------------------------------------------------------------
as "" POST /v1/classes '{"name":"OS 2026"}'
problem 401 token-required "a class without a token"
as "0123456789abcdef0123456789abcdef" POST /v1/classes '{"name":"OS 2026"}'
problem 403 instructor-only "a class with another token"
as "$INSTR" POST /v1/classes '{"nam":"OS 2026"}'
problem 400 bad-class "a class with an unknown member"
detail "unknown member 'nam'" "the member is named"
as "$INSTR" POST /v1/classes '{"name":"=1+1"}'
problem 400 bad-class "a class name that is a formula"
as "$INSTR" POST /v1/classes '{"name":"OS 2026"}'
expect 201 "a class"
CODE=$(jq -r .code "$O")
same "$(jq -c 'keys' "$O")" '["assignments","code","created","name","students"]' \
	"a class shows no secret"
check "the join code is <node>-k and seven letters or digits ($CODE)" \
	sh -c "echo '$CODE' | grep -qE '^a-k[2-9a-hjkmnp-z]{7}\$'"
same "$(header_of Location)" "/v1/classes/$CODE" "the class's Location"

# the classic question: one assignment of four exercises
CLASSIC='{"name":"classic","items":[{"type":"zone"},{"type":"kvmalloc"},{"type":"kmap"},{"type":"lowmem"}],"attempts":2}'
for bad in \
	'{"name":"x","items":[{"type":"nosuch"}]}|items[0].type must be one of' \
	'{"name":"x","items":[]}|items must be an array of 1 to 12' \
	'{"name":"x","items":[{"type":"zone","count":5}]}|items[0].count must be an integer from 1 to 4' \
	'{"name":"x","items":[{"type":"zone","n":1}]}|unknown member '"'"'n'"'"'' \
	'{"name":"x","items":[{"type":"zone","count":4},{"type":"kmap","count":4},{"type":"lowmem","count":4},{"type":"zone"}]}|add up to 13 exercises' \
	'{"name":"x","items":[{"type":"zone"}],"attempts":0}|attempts must be an integer from 1 to 10' \
	'{"name":"x","items":[{"type":"zone"}],"due":"2026-02-30T10:00:00Z"}|due must be a UTC time' \
	'{"name":"x","items":[{"type":"zone"}],"due":"tomorrow"}|due must be a UTC time' \
	'{"items":[{"type":"zone"}]}|name is missing' \
	'{"name":"x","items":[{"type":"zone"}],"points":3}|unknown member '"'"'points'"'"''; do
	as "$INSTR" POST "/v1/classes/$CODE/assignments" "${bad%%|*}"
	problem 400 bad-assignment "assignment ${bad%%|*}"
	detail "${bad#*|}" "assignment ${bad%%|*}"
done
as "$INSTR" POST /v1/classes/a-k2345678/assignments "$CLASSIC"
problem 404 no-such-class "an assignment of a class that is not"
as "$INSTR" POST "/v1/classes/$CODE/assignments" "$CLASSIC"
expect 201 "the classic assignment"
same "$(jq -c '[.id, .attempts, .due, .reveal_rule, [.items[] | .type + "x" + (.count | tostring)]]' "$O")" \
	'["a1",2,null,"attempts",["zonex1","kvmallocx1","kmapx1","lowmemx1"]]' "the assignment as made"

# --- three students join ---------------------------------------------------------------
as "$INSTR" POST "/v1/classes/$CODE/join" '{"name":"ann"}'
problem 403 instructor-cannot-join "the instructor joins"
for bad in '{"name":""}|must not be empty' '{"name":"@ann"}|must not start with' \
	'{"name":" ann"}|start or end with a space' '{"nick":"ann"}|unknown member' \
	'{"name":12}|must be a string'; do
	as "" POST "/v1/classes/$CODE/join" "${bad%%|*}"
	problem 400 bad-name "join ${bad%%|*}"
	detail "${bad#*|}" "join ${bad%%|*}"
done
as "" POST /v1/classes/a-k2345678/join '{"name":"ann"}'
problem 404 no-such-class "join a class that is not"
for s in ann bob cy; do
	as "" POST "/v1/classes/$CODE/join" "{\"name\":\"$s\"}"
	expect 201 "$s joins"
	cp "$O" "$TMP/join.$s"
	eval "TOK_$s=\$(jq -r .token \"\$O\")"
	same "$(jq -c '[.student.name, .class.code, (.assignments | length),
		 [.assignments[0].exercises[] | .type + ":" + .state]]' "$O")" \
		"[\"$s\",\"$CODE\",1,[\"zone:open\",\"kvmalloc:open\",\"kmap:open\",\"lowmem:open\"]]" \
		"$s's exercises are drawn at the join"
done
# shellcheck disable=SC2154 # set by the eval above
TA=$TOK_ann TB=$TOK_bob TC=$TOK_cy
ex() { jq -r ".assignments[0].exercises[$2].id" "$TMP/join.$1"; }
EA0=$(ex ann 0) EA1=$(ex ann 1) EA2=$(ex ann 2) EA3=$(ex ann 3)
EB0=$(ex bob 0) EB1=$(ex bob 1)
EC0=$(ex cy 0) EC1=$(ex cy 1) EC3=$(ex cy 3)
same "$(jq -r .student.id "$TMP/join.ann") $(jq -r .student.id "$TMP/join.cy")" "s1 s3" "roster ids"

# neighbours: the four questions of each student, compared whole
for s in ann bob cy; do
	for e in $(jq -r '.assignments[0].exercises[].id' "$TMP/join.$s"); do
		as "$(eval echo "\$TOK_$s")" GET "/v1/exercises/$e"
		jq -r .question "$O"
	done > "$TMP/questions.$s"
done
check "ann and bob got different variants" differ "$TMP/questions.ann" "$TMP/questions.bob"
check "bob and cy got different variants" differ "$TMP/questions.bob" "$TMP/questions.cy"
check "ann and cy got different variants" differ "$TMP/questions.ann" "$TMP/questions.cy"

# a name on the roster; the student's own token gets them back
as "" POST "/v1/classes/$CODE/join" '{"name":"ann"}'
problem 409 name-taken "ann joins again without her token"
as "$TB" POST "/v1/classes/$CODE/join" '{"name":"ann"}'
problem 409 name-taken "ann's name with bob's token"
as "$TB" POST "/v1/classes/$CODE/join" '{"name":"bobby"}'
problem 409 already-joined "bob joins again as bobby"
as "$TA" POST "/v1/classes/$CODE/join" '{"name":"ann"}'
expect 200 "ann joins again with her token"
same "$(jq -c '[.token, .student.id, [.assignments[0].exercises[].id]]' "$O")" \
	"$(jq -c '[.token, .student.id, [.assignments[0].exercises[].id]]' "$TMP/join.ann")" \
	"the same student, token and exercises"

# the instructor's list names a student's machines by the roster
as "$INSTR" GET "/v1/machines?owner=ann"
expect 200 "the instructor lists ann's machines"
same "$(jq -c "[.machines[] | [.owner.student, .owner.student_id, .owner.class]] | unique" "$O")" \
	"[[\"ann\",\"s1\",\"$CODE\"]]" "ann's machines: her roster name, id and class"
same "$(jq '.machines | length' "$O")" 4 "ann's machines: one per exercise"
as "$INSTR" GET "/v1/machines?owner=s2"
same "$(jq -r '[.machines[].owner.student] | unique | join(",")' "$O")" bob "?owner=s2: bob's"

# --- secrecy -----------------------------------------------------------------------------
seeds=0
for f in "$TMP"/join.*; do
	n=$(jq '[.. | objects | select(has("seed"))] | length' "$f")
	seeds=$((seeds + n))
done
as "$TA" GET "/v1/exercises/$EA0"
expect 200 "ann reads her exercise"
seeds=$((seeds + $(jq '[.. | objects | select(has("seed") or has("key"))] | length' "$O")))
as "$TA" GET /v1/me
expect 200 "ann's /v1/me"
seeds=$((seeds + $(jq '[.. | objects | select(has("seed") or has("key"))] | length' "$O")))
same "$seeds" 0 "no seed and no key in anything a student read"
same "$(jq -c '[.student.name, .student.class.code, [.assignments[0].exercises[].id]]' "$O")" \
	"[\"ann\",\"$CODE\",[\"$EA0\",\"$EA1\",\"$EA2\",\"$EA3\"]]" "ann's /v1/me lists her assignment"
as "$TA" GET "/v1/exercises/$EB0"
same "$ST" 404 "ann reads bob's exercise"
as "$TA" POST "/v1/exercises/$EB0/answers" '{"fields":{"zone":"DMA","linear_map":"yes"}}'
same "$ST" 404 "ann answers bob's exercise"
for path in "/v1/classes/$CODE/grades" "/v1/classes/$CODE/grades?format=csv" \
	"/v1/classes/$CODE" "/v1/classes/$CODE/students/s2" /v1/classes \
	"/v1/classes/a-k2345678/grades"; do
	as "$TA" GET "$path"
	problem 403 instructor-only "a student's GET $path"
	as "" GET "$path"
	problem 401 token-required "GET $path without a token"
done
as "$TA" POST "/v1/classes/$CODE/assignments" "$CLASSIC"
problem 403 instructor-only "a student makes an assignment"

# --- the teacher's keys; answers -------------------------------------------------------------
as "$INSTR" GET "/v1/classes/$CODE/students/s1"
expect 200 "ann's work, for the teacher"
cp "$O" "$TMP/keys.ann"
as "$INSTR" GET "/v1/classes/$CODE/students/s2"
cp "$O" "$TMP/keys.bob"
as "$INSTR" GET "/v1/classes/$CODE/students/s3"
cp "$O" "$TMP/keys.cy"
as "$INSTR" GET "/v1/classes/$CODE/students/s9"
problem 404 no-such-student "a student who is not"
as "$INSTR" GET "/v1/classes/$CODE/students/bob"
same "$ST $(jq -cS . "$O" | md5sum)" "200 $(jq -cS . "$TMP/keys.bob" | md5sum)" \
	"a student by name is the same as by id"

# key STUDENT SLOT : the answer key of that exercise, as {fields: ...}
key() { jq -c "{fields: .assignments[0].exercises[$2].key}" "$TMP/keys.$1"; }
# wrong STUDENT SLOT [FIELD...] : the key with FIELDs (all if none) made wrong
wrong() {
	w_s=$1 w_n=$2
	shift 2
	w_f=$(printf '%s\n' "$@" | jq -R . | jq -sc 'map(select(. != ""))')
	jq -c --argjson only "$w_f" "
	  .assignments[0].exercises[$w_n] as \$e |
	  {fields: (\$e.key | with_entries(
	    .key as \$k | (\$e.fields[] | select(.name == \$k)) as \$f |
	    if (\$only | length) > 0 and (\$only | index(\$k) | not) then .
	    elif \$f.format == \"zone\" then .value |= (if . == \"DMA\" then \"Normal\" else \"DMA\" end)
	    elif \$f.format == \"yes/no\" then .value |= not
	    elif \$f.format == \"enum\" then .value as \$v | .value = ([\$f.choices[] | select(. != \$v)][0])
	    elif \$f.format == \"size\" then .value |= . + 67108864
	    elif \$f.format == \"address\" then .value |= (if . == null then \"0xc0001000\" else \"none\" end)
	    else .value |= . + 1 end))}" "$TMP/keys.$w_s"
}

# ann: full marks at once on zone
T0=$(date +%s)
as "$TA" POST "/v1/exercises/$EA0/answers" "$(key ann 0)"
expect 200 "ann answers zone right"
T1=$(date +%s)
same "$(jq -c '[.attempt, .score, .max, .state, .attempts.left]' "$O")" '[1,2,2,"answered",1]' \
	"full marks, answered"
# bob: zone partly right: zone right, linear_map wrong; no feedback yet
as "$TB" POST "/v1/exercises/$EB0/answers" "$(wrong bob 0 linear_map)"
expect 200 "bob answers zone partly"
same "$(jq -c '[.score, .state, .fields.zone.correct, .fields.linear_map.correct,
		(.fields.linear_map | has("feedback"))]' "$O")" '[1,"open",true,false,false]' \
	"partly right, and a wrong field says nothing of the key before the rule allows"
as "$TB" POST "/v1/exercises/$EB0/reveal"
problem 409 reveal-not-yet "bob reveals with an attempt left"
# cy: zone wrong twice, then no attempt is left
as "$TC" POST "/v1/exercises/$EC0/answers" "$(wrong cy 0)"
same "$ST $(jq -c '[.score, .state]' "$O")" '200 [0,"open"]' "cy answers zone wrong"
as "$TC" POST "/v1/exercises/$EC0/answers" '{"fields":{"zone":"Highmem!","linear_map":"yes"}}'
problem 400 bad-answer "cy's malformed answer"
same "$(jq -r .field "$O")" zone "the malformed field is named"
as "$TC" GET "/v1/exercises/$EC0"
same "$(jq -c '.attempts' "$O")" '{"allowed":2,"used":1,"left":1}' "the malformed answer cost no attempt"
as "$TC" POST "/v1/exercises/$EC0/answers" "$(wrong cy 0)"
same "$ST $(jq -c '[.score, .state, (.fields.zone | has("feedback"))]' "$O")" \
	'200 [0,"answered",true]' "cy's last attempt: feedback once the rule allows"
as "$TC" POST "/v1/exercises/$EC0/answers" "$(key cy 0)"
problem 409 no-attempts-left "cy answers after the last attempt"
# kvmalloc: ann wrong then right (best 5); bob malformed only; cy nothing
as "$TA" POST "/v1/exercises/$EA1/answers" "$(wrong ann 1 vmalloc_zone vmalloc_frames)"
same "$ST $(jq -c '[.score, .max]' "$O")" '200 [3,5]' "ann: kvmalloc 3 of 5"
as "$TA" POST "/v1/exercises/$EA1/answers" "$(key ann 1)"
same "$ST $(jq -c '[.score, .state]' "$O")" '200 [5,"answered"]' "ann: kvmalloc 5 of 5"
as "$TB" POST "/v1/exercises/$EB1/answers" '{"fields":{"kmalloc_contiguous":"maybe"}}'
problem 400 bad-answer "bob's kvmalloc, malformed"
# lowmem: cy right
as "$TC" POST "/v1/exercises/$EC3/answers" "$(key cy 3)"
same "$ST $(jq -c '[.score, .max]' "$O")" '200 [3,3]' "cy: lowmem 3 of 3"
T2=$(date +%s)

# reveals: after full marks, after the last attempt; then no more answers
as "$TA" POST "/v1/exercises/$EA0/reveal"
same "$ST $(jq -c '[.state, .key == ('"$(key ann 0)"').fields]' "$O")" '200 ["revealed",true]' \
	"ann reveals after full marks: the key"
as "$TC" POST "/v1/exercises/$EC0/reveal"
same "$ST $(jq -r .state "$O")" "200 revealed" "cy reveals after her last attempt"
as "$TA" POST "/v1/exercises/$EA0/answers" "$(key ann 0)"
problem 409 revealed "an answer after the reveal"
as "$TA" POST "/v1/exercises/$EA2/reveal"
problem 409 reveal-not-yet "ann reveals kmap before answering it"

# --- the gradebook ------------------------------------------------------------------------------
# scores: ann zone 2, kvmalloc 5; bob zone 1; cy zone 0, lowmem 3
req GET "/v1/classes/$CODE/grades" -H "$AI" -H 'Accept: text/csv'
same "$ST $TYPE" "200 text/csv; charset=utf-8" "the CSV gradebook"
printf 'id,name,classic 1 zone,classic 2 kvmalloc,classic 3 kmap,classic 4 lowmem,total,max\r\ns1,ann,2,5,,,7,12\r\ns2,bob,1,,,,1,12\r\ns3,cy,0,,,3,3,12\r\n' \
	> "$TMP/want.csv"
check "the CSV is exact" cmp -s "$O" "$TMP/want.csv"
cp "$O" "$TMP/grades.csv"
as "$INSTR" GET "/v1/classes/$CODE/grades"
expect 200 "the JSON gradebook"
cp "$O" "$TMP/grades.json"
cell() { # ID STATE SCORE MAX ATTEMPTS
	printf '{"id":"%s","state":"%s","score":%s,"max":%s,"attempts":%s}' "$@"
}
col() { # SLOT TYPE TITLE MAX
	printf '{"key":"a1.%s","assignment":"a1","assignment_name":"classic","slot":%s,"type":"%s","title":%s,"max":%s}' \
		"$1" "$1" "$2" "$(./build/mmlab exercises | jq ".[] | select(.type == \"$2\") | .title")" "$3"
}
cat > "$TMP/want.json" <<EOF
{"class":{"code":"$CODE","name":"OS 2026"},
 "columns":[$(col 1 zone 2),$(col 2 kvmalloc 5),$(col 3 kmap 2),$(col 4 lowmem 3)],
 "max":12,
 "students":[
  {"id":"s1","name":"ann","total":7,"max":12,"exercises":{
   "a1.1":$(cell "$EA0" revealed 2 2 1),"a1.2":$(cell "$EA1" answered 5 5 2),
   "a1.3":$(cell "$EA2" open null 2 0),"a1.4":$(cell "$EA3" open null 3 0)}},
  {"id":"s2","name":"bob","total":1,"max":12,"exercises":{
   "a1.1":$(cell "$EB0" open 1 2 1),"a1.2":$(cell "$EB1" open null 5 0),
   "a1.3":$(cell "$(ex bob 2)" open null 2 0),"a1.4":$(cell "$(ex bob 3)" open null 3 0)}},
  {"id":"s3","name":"cy","total":3,"max":12,"exercises":{
   "a1.1":$(cell "$EC0" revealed 0 2 2),"a1.2":$(cell "$EC1" open null 5 0),
   "a1.3":$(cell "$(ex cy 2)" open null 2 0),"a1.4":$(cell "$EC3" answered 3 3 1)}}]}
EOF
same "$(jq -cS . "$O")" "$(jq -cS . "$TMP/want.json")" "the JSON gradebook is exact"
as "$INSTR" GET "/v1/classes/$CODE/grades?format=gradescope&student=s1"
same "$ST $(jq -c '[.score, [.tests[] | [.number, .score, .max_score, .status]]]' "$O")" \
	'200 [7,[["a1.1",2,2,"passed"],["a1.2",5,5,"passed"],["a1.3",0,2,"failed"],["a1.4",0,3,"failed"]]]' \
	"ann's Gradescope results.json"
as "$INSTR" GET "/v1/classes/$CODE/grades?format=gradescope"
same "$(jq -c '[.students[] | [.id, .results.score]]' "$O")" '[["s1",7],["s2",1],["s3",3]]' \
	"the class's Gradescope export"
as "$INSTR" GET "/v1/classes/$CODE/grades?format=xml"
problem 400 bad-argument "an unknown format"
as "$INSTR" GET "/v1/classes/$CODE/grades?format=gradescope&student=zed"
problem 404 no-such-student "Gradescope results of a student who is not"

# every attempt with its time: the teacher's view and the student's agree,
# and the time is the server's, between the test's clock before and after
as "$INSTR" GET "/v1/classes/$CODE/students/s3"
jq -c '[.assignments[0].exercises[] | [.id, [.attempts_log[] | [.n, .time, .score]]]]' "$O" \
	> "$TMP/teacher.cy"
for e in $(jq -r '.assignments[0].exercises[].id' "$O"); do
	as "$TC" GET "/v1/exercises/$e"
	jq -c '[.id, [.attempts_log[] | [.n, .time, .score]]]' "$O"
done | jq -sc . > "$TMP/student.cy"
check "the teacher's attempts are the student's, times and all" cmp -s "$TMP/teacher.cy" "$TMP/student.cy"
same "$(jq -c '[.[] | .[1][] | .[0]]' "$TMP/teacher.cy")" '[1,2,1]' "cy's three graded attempts"
times_ok=$(jq --argjson t0 "$T0" --argjson t2 "$T2" \
	'[.[] | .[1][] | .[1] | fromdateiso8601 | select(. < $t0 or . > $t2)] | length' "$TMP/teacher.cy")
same "$times_ok" 0 "attempt times are the server's clock, within the test's ($T0..$T2)"
as "$INSTR" GET "/v1/classes/$CODE/students/s1"
same "$(jq -r '.assignments[0].exercises[0].attempts_log[0].time | fromdateiso8601' "$O" |
	awk -v a="$T0" -v b="$T1" '{ print ($1 >= a && $1 <= b) }')" 1 "ann's first attempt's time"

# --- an assignment made later, with a due time: drawn at the next list ---------------------------
DUE=$(($(date +%s) + 4))
DUE_S=$(date -u -d "@$DUE" +%Y-%m-%dT%H:%M:%SZ)
machines_before=$(curl -s -H "$AI" "$B/v1/machines" | jq '.machines | length')
as "$INSTR" POST "/v1/classes/$CODE/assignments" \
	"{\"name\":\"due soon\",\"items\":[{\"type\":\"lowmem\"}],\"attempts\":3,\"due\":\"$DUE_S\"}"
same "$ST $(jq -c '[.id, .due, .reveal_rule]' "$O")" "201 [\"a2\",\"$DUE_S\",\"attempts_or_due\"]" \
	"an assignment with a due time"
same "$(curl -s -H "$AI" "$B/v1/machines" | jq '.machines | length')" "$machines_before" \
	"making it boots nothing"
as "$TC" GET /v1/me
same "$(jq -c '[.assignments[] | [.id, (.exercises | length), .exercises[0].state]]' "$O")" \
	'[["a1",4,"revealed"],["a2",1,"open"]]' "cy's next /v1/me draws it"
ED=$(jq -r '.assignments[1].exercises[0].id' "$O")
same "$(curl -s -H "$AI" "$B/v1/machines" | jq '.machines | length')" "$((machines_before + 1))" \
	"one machine, for cy"
as "$TC" POST "/v1/exercises/$ED/reveal"
problem 409 reveal-not-yet "cy reveals before the due time"
as "$INSTR" GET "/v1/classes/$CODE/students/s3"
cp "$O" "$TMP/keys.cy2"
wrong_due=$(jq -c '.assignments[1].exercises[0].key | {fields: (.lowmem += 67108864)}' "$O")
as "$TC" POST "/v1/exercises/$ED/answers" "$wrong_due"
same "$ST $(jq -c '[.score, .state, .fields.lowmem.correct, (.fields.lowmem | has("feedback"))]' "$O")" \
	'200 [2,"open",false,false]' "cy answers before the due time: no feedback yet"
while [ "$(date +%s)" -le "$DUE" ]; do sleep 0.2; done
as "$TC" POST "/v1/exercises/$ED/answers" \
	"$(jq -c '{fields: .assignments[1].exercises[0].key}' "$TMP/keys.cy2")"
problem 409 past-due "an answer after the due time"
as "$TC" POST "/v1/exercises/$ED/reveal"
same "$ST $(jq -r .state "$O")" "200 revealed" "cy reveals after the due time"
as "$TC" GET "/v1/exercises/$ED"
same "$(jq -c '[.score, .attempts.used]' "$O")" '[2,1]' "the late answer was not graded"

# --- a join whose write fails is undone ----------------------------------------------------------
# sqlite3 holds the store's write lock: the join's commit fails (503), and
# the class, its exercises and machines go back to what the store holds
if command -v sqlite3 >/dev/null 2>&1; then
	{ echo '.timeout 5000'; echo 'BEGIN IMMEDIATE;'; echo "SELECT 'locked';"
	  sleep 1.5; echo 'COMMIT;'; } | sqlite3 "$TMP/data/mmlab.db" >"$TMP/lock.out" 2>&1 &
	LP=$!
	mm_track "$LP"
	i=0
	while [ $i -lt 100 ] && ! grep -q locked "$TMP/lock.out"; do sleep 0.02; i=$((i + 1)); done
	machines_before=$(curl -s -H "$AI" "$B/v1/machines" | jq '.machines | length')
	as "" POST "/v1/classes/$CODE/join" '{"name":"dee"}'
	problem 503 store-unavailable "a join while the store is locked"
	as "$INSTR" GET "/v1/classes/$CODE"
	same "$(jq -c '[.students[].name]' "$O")" '["ann","bob","cy"]' "the failed join left no student"
	same "$(curl -s -H "$AI" "$B/v1/machines" | jq '.machines | length')" "$machines_before" \
		"nor machines"
	mm_reap "$LP"
	req_until 201 40 0.1 POST "/v1/classes/$CODE/join" -d '{"name":"dee"}'
	same "$ST $(jq -c '[.student.id, .student.name]' "$O")" '201 ["s4","dee"]' \
		"once the store is back, the same name joins"
	TD=$(jq -r .token "$O")
else
	skip "sqlite3 is not installed: the failed join"
fi

# --- kill -9 mid-flow -------------------------------------------------------------------------------
# bob and ann work through their open exercises, each answer logged with
# its status; the daemon dies under them
as "$INSTR" GET "/v1/classes/$CODE/grades"
cp "$O" "$TMP/grades.before"
# an assignment and a join acknowledged just before the kill
as "$INSTR" POST "/v1/classes/$CODE/assignments" '{"name":"late","items":[{"type":"kmap"}]}'
same "$ST $(jq -r .id "$O")" "201 a3" "an assignment just before the kill"
as "" POST "/v1/classes/$CODE/join" '{"name":"eve"}'
same "$ST $(jq -c '[.assignments[] | .exercises | length]' "$O")" "201 [4,1,1]" "eve joins just before the kill"
cp "$O" "$TMP/join.eve"
worker() { # TOKEN STUDENT SLOTS...
	w_t=$1 w_s=$2
	shift 2
	for w_n in "$@"; do
		w_e=$(ex "$w_s" "$w_n")
		for w_a in 1 2; do
			w_out=$(curl -s -m 10 -o "$TMP/ans.$w_s.$w_n.$w_a" -w '%{http_code}' \
				-H "Authorization: Bearer $w_t" -H 'Content-Type: application/json' \
				-d "$(wrong "$w_s" "$w_n")" "$B/v1/exercises/$w_e/answers")
			# the server's number of the attempt it acknowledged
			echo "$w_e $(jq -r '.attempt // 0' "$TMP/ans.$w_s.$w_n.$w_a" \
				2>/dev/null) $w_out" >> "$TMP/acked.$w_s"
		done
	done
}
: > "$TMP/acked.bob"
: > "$TMP/acked.ann"
worker "$TB" bob 1 2 3 &
W1=$!
worker "$TA" ann 2 3 &
W2=$!
# killed once the first answers are in, while the rest are under way
i=0
while [ $i -lt 200 ] && ! grep -qh ' 200$' "$TMP/acked.bob" "$TMP/acked.ann"; do
	sleep 0.05
	i=$((i + 1))
done
sleep 0.1
kill -9 "$PID"
mm_reap "$PID"
wait "$W1" "$W2" 2>/dev/null
start 2 || { summary; exit 1; }
acked=0 kept=0
unanswered=$(cat "$TMP/acked.bob" "$TMP/acked.ann" | grep -c ' 000$')
for f in "$TMP/acked.bob" "$TMP/acked.ann"; do
	s=${f##*.}
	eval "tok=\$T$(echo "$s" | cut -c1 | tr a-z A-Z)"
	while read -r e n code; do
		[ "$code" = 200 ] || continue
		acked=$((acked + 1))
		as "$tok" GET "/v1/exercises/$e"
		# the attempt the answer acknowledged, with its score
		if [ "$(jq --argjson n "$n" '[.attempts_log[] | select(.n == $n)] | length' "$O")" = 1 ]; then
			kept=$((kept + 1))
		else
			bad "acknowledged answer $n to $e lost: $(cat "$O")"
		fi
	done < "$f"
done
check "some answers were acknowledged before the kill ($acked)" test "$acked" -gt 0
same "$kept" "$acked" "every acknowledged answer is graded after kill -9 ($acked acknowledged, $unanswered cut off)"
as "$INSTR" GET "/v1/classes/$CODE/grades"
cp "$O" "$TMP/grades.after"
# what was not acknowledged may or may not be there: the gradebook
# agrees with the exercises, and what came before the run is unchanged
same "$(jq -c '[.students[:4][] | .exercises["a1.1"]]' "$TMP/grades.after")" \
	"$(jq -c '[.students[:4][] | .exercises["a1.1"]]' "$TMP/grades.before")" \
	"the exercises nobody answered meanwhile are as they were"
same "$(jq -c '[.students[] | [.name, .total]] | .[2]' "$TMP/grades.after")" '["cy",5]' \
	"cy's total survived"
as "$TA" POST "/v1/classes/$CODE/join" '{"name":"ann"}'
same "$ST $(jq -c '[.student.name, [.assignments[0].exercises[].id]]' "$O")" \
	"200 [\"ann\",[\"$EA0\",\"$EA1\",\"$EA2\",\"$EA3\"]]" "ann's token and exercises after the restart"
as "" POST "/v1/classes/$CODE/join" '{"name":"ann"}'
problem 409 name-taken "the roster after the restart"
as "$(jq -r .token "$TMP/join.eve")" POST "/v1/classes/$CODE/join" '{"name":"eve"}'
same "$ST $(jq -c '[.student.id, [.assignments[] | .id, [.exercises[].id]]]' "$O")" \
	"200 $(jq -c '[.student.id, [.assignments[] | .id, [.exercises[].id]]]' "$TMP/join.eve")" \
	"eve, her token and her exercises after the kill"
# ann's join drew her a2: the gradebook to compare after a clean restart
as "$INSTR" GET "/v1/classes/$CODE/grades"
cp "$O" "$TMP/grades.after"
as "$INSTR" GET "/v1/classes/$CODE/grades?format=csv"
cp "$O" "$TMP/csv.after"
mm_stop TERM "the daemon stops on SIGTERM"
start 3 || { summary; exit 1; }
as "$INSTR" GET "/v1/classes/$CODE/grades?format=csv"
check "the CSV is the same to the byte after a clean restart" cmp -s "$O" "$TMP/csv.after"
as "$INSTR" GET "/v1/classes/$CODE/grades"
same "$(jq -cS . "$O")" "$(jq -cS . "$TMP/grades.after")" "the gradebook is the same after a clean restart"

# --- limits: 64 assignments a class, 500 students, 256 classes ------------------------------------
# many requests through one curl (a config of "next"-separated requests)
# many FILE : run the requests of FILE, each answer's status on a line
many() {
	sed 's|^next$|output = "/dev/null"\nwrite-out = "%{http_code}\\n"\nnext|' "$1" > "$1.k"
	curl -s -K "$1.k" > "$1.status"
}
as "$INSTR" POST /v1/classes '{"name":"limits"}'
CL=$(jq -r .code "$O")
i=0
while [ $i -lt 64 ]; do
	i=$((i + 1))
	printf 'url = "%s/v1/classes/%s/assignments"\nheader = "%s"\ndata = "{\\"name\\":\\"w%s\\",\\"items\\":[{\\"type\\":\\"zone\\"}]}"\nnext\n' \
		"$B" "$CL" "$AI" "$i"
done > "$TMP/asg.cfg"
many "$TMP/asg.cfg"
same "$(sort "$TMP/asg.cfg.status" | uniq -c | tr -s ' ')" " 64 201" "64 assignments in a class"
as "$INSTR" POST "/v1/classes/$CL/assignments" '{"name":"one more","items":[{"type":"zone"}]}'
problem 422 over-limit "the 65th assignment"
detail "64 assignments" "the limit is named"
as "$INSTR" POST /v1/classes '{"name":"roster"}'
CR=$(jq -r .code "$O")
i=0
while [ $i -lt 500 ]; do
	i=$((i + 1))
	printf 'url = "%s/v1/classes/%s/join"\ndata = "{\\"name\\":\\"p%s\\"}"\nnext\n' "$B" "$CR" "$i"
done > "$TMP/join.cfg"
many "$TMP/join.cfg"
same "$(sort "$TMP/join.cfg.status" | uniq -c | tr -s ' ')" " 500 201" "500 students join"
as "" POST "/v1/classes/$CR/join" '{"name":"p501"}'
problem 422 over-limit "the 501st student"
detail "500 students" "the limit is named"
as "$INSTR" GET /v1/classes
n=$(jq '.classes | length' "$O")
i=$n
while [ $i -lt 256 ]; do
	i=$((i + 1))
	printf 'url = "%s/v1/classes"\nheader = "%s"\ndata = "{\\"name\\":\\"c%s\\"}"\nnext\n' "$B" "$AI" "$i"
done > "$TMP/cls.cfg"
many "$TMP/cls.cfg"
same "$(sort "$TMP/cls.cfg.status" | uniq -c | tr -s ' ')" " $((256 - n)) 201" "classes up to 256"
as "$INSTR" POST /v1/classes '{"name":"one too many"}'
problem 422 over-limit "the 257th class"
detail "256 classes" "the limit is named"
as "$INSTR" POST "/v1/classes/$CODE/assignments" \
	'{"name":"x","items":[{"type":"zone"}],"attempts":11}'
problem 400 bad-assignment "11 attempts"
as "" POST "/v1/classes/$CODE/join" \
	'{"name":"01234567890123456789012345678901234567890123456789012345678901234"}'
problem 400 bad-name "a name of 65 bytes"
detail "longer than 64 bytes" "the limit is named"

# every route once more on this daemon, then SIGTERM: it exits 0, so
# ASan found no leak in any of them
as "$INSTR" GET "/v1/classes/$CODE/students/s1"
expect 200 "ann's work after the restarts"
as "$INSTR" GET "/v1/classes/$CODE/grades?format=gradescope"
expect 200 "the Gradescope export after the restarts"
as "$TB" GET /v1/me
same "$ST $(jq -c '[.assignments[] | .id]' "$O")" '200 ["a1","a2","a3"]' \
	"bob's /v1/me draws a2 and a3 after the restarts"
as "$TB" POST "/v1/classes/$CODE/join" '{"name":"bob"}'
expect 200 "bob joins again"
as "$INSTR" GET /v1/classes
expect 200 "the classes"
mm_stop TERM "the last daemon stops cleanly (and leaks nothing)"

# --- a join over the per-token limit draws what it may -----------------------------------------------
mm_start quota "$TMP/daemon.quota.log" --data "$TMP/quota" --instructor-token "$INSTR" \
	--rate 0 --quiet --max-exercises-per-token 2 || { summary; exit 1; }
as "$INSTR" POST /v1/classes '{"name":"small"}'
CQ=$(jq -r .code "$O")
as "$INSTR" POST "/v1/classes/$CQ/assignments" "$CLASSIC"
as "" POST "/v1/classes/$CQ/join" '{"name":"fay"}'
same "$ST $(jq -c '[.assignments[0].exercises[] | .state]' "$O")" \
	'201 ["open","open","not-drawn","not-drawn"]' "a join over the limit: two drawn, two not"
check "and it says why ($(jq -r .not_drawn "$O" | cut -c1-60)...)" \
	sh -c "jq -r .not_drawn '$O' | grep -q 'exercises'"
TF=$(jq -r .token "$O")
as "$TF" GET /v1/me
same "$ST $(jq -c '[.assignments[0].exercises[] | .state]' "$O")" \
	'200 ["open","open","not-drawn","not-drawn"]' "the next list tries again, under the same limit"
check "and says why again" sh -c "jq -r .not_drawn '$O' | grep -q 'exercises'"
as "$INSTR" GET "/v1/classes/$CQ/grades?format=csv"
same "$(tail -n 1 "$O")" "$(printf 's1,fay,,,,,0,12\r')" "the gradebook of a student with slots not drawn"
mm_stop TERM "the quota daemon stops cleanly"

summary "classes: " ", $(mm_elapsed) s"
