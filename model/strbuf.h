/*
 * strbuf.h - a growable text buffer for reports and the boot log.
 *
 * Allocation failure aborts: the model cannot do anything sensible with
 * half a report, and the host running out of memory is not a user error.
 */
#ifndef MM_STRBUF_H
#define MM_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_puts(struct strbuf *sb, const char *s);
/* Room for extra more bytes and the NUL, for a caller writing in place. */
void sb_reserve(struct strbuf *sb, size_t extra);
/* n bytes of s (no NUL needed); the text stays NUL-terminated.  Inline:
 * an answer written piece by piece calls it for every comma. */
static inline void sb_putn(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n >= sb->cap)
		sb_reserve(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}
/* Hand the text to the caller (never NULL); the buffer is empty after. */
char *sb_detach(struct strbuf *sb);
void sb_free(struct strbuf *sb);

/* malloc/calloc/realloc that abort on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
