#include "common/jni_util.h"
#include "common/kfr_error.h"

void *kfr_jni_direct(JNIEnv *env, jobject buf, size_t *cap, const char *what)
{
	void *p;
	jlong c;

	if (!buf) {
		kfr_set_error("%s: buffer is null", what);
		return NULL;
	}
	p = (*env)->GetDirectBufferAddress(env, buf);
	c = (*env)->GetDirectBufferCapacity(env, buf);
	if (!p || c <= 0) {
		kfr_set_error("%s: not a direct ByteBuffer", what);
		return NULL;
	}
	*cap = (size_t)c;
	return p;
}
