/* ops_kvm.c - the kvm operations (being written). */
#include "api.h"
#include "api_util.h"

const struct api_op_def api_ops_kvm[] = {
	{ NULL, false, NULL, NULL },
};
