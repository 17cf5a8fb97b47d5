/* JNI of io.kfr.collectors.pt.PtNative: libipt's version, the image, the decoder. */
#include <jni.h>
#include <intel-pt.h>
#include <stdio.h>
#include <stdlib.h>

#include "pt/pt_decode.h"
#include "pt/pt_image.h"
#include "pt/pt_image_timed.h"
#include "pt/pt_sideband.h"

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_pt_PtNative_##name

/* PtCpu.packed() slots */
enum { CPU_INTEL, CPU_FAMILY, CPU_MODEL, CPU_STEPPING, CPU_MTC, CPU_NOM, CPU_15EAX, CPU_15EBX, CPU_HAS_TIME,
       CPU_SHIFT, CPU_MULT, CPU_ZERO, CPU_SLOTS };
/* PtDecoder totals slots */
enum { TOT_INSNS, TOT_TRUNCATED, TOT_BYTES, TOT_NANOS, TOT_IPS, TOT_SLOTS };
#define SEGMENT_LONGS 8

static struct kfr_pt_image *image_of(jlong handle)
{
	return (struct kfr_pt_image *)(intptr_t)handle;
}

jstring JNI_FN(libiptVersion)(JNIEnv *env, jclass cls)
{
	(void)cls;
	struct pt_version v = pt_library_version();
	char s[64];

	snprintf(s, sizeof(s), "%u.%u.%u-%u", v.major, v.minor, (unsigned)v.patch, (unsigned)v.build);
	return (*env)->NewStringUTF(env, s);
}

jlong JNI_FN(imageCreate)(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (jlong)(intptr_t)kfr_pt_image_new();
}

jint JNI_FN(imageAddSelfMappings)(JNIEnv *env, jclass cls, jlong image)
{
	(void)env;
	(void)cls;
	return kfr_pt_image_add_self_mappings(image_of(image));
}

jint JNI_FN(imageCopyAnonymousCode)(JNIEnv *env, jclass cls, jlong image)
{
	(void)env;
	(void)cls;
	return kfr_pt_image_copy_anonymous_code(image_of(image));
}

jint JNI_FN(imageAddCode)(JNIEnv *env, jclass cls, jlong image, jlong address, jbyteArray code, jstring name)
{
	(void)cls;
	jsize n = (*env)->GetArrayLength(env, code);
	jbyte *bytes = (*env)->GetByteArrayElements(env, code, NULL);
	const char *cname = name ? (*env)->GetStringUTFChars(env, name, NULL) : NULL;
	int rc = bytes ? kfr_pt_image_add_code(image_of(image), (uint64_t)address, bytes, (uint64_t)n, cname) : -1;

	if (cname)
		(*env)->ReleaseStringUTFChars(env, name, cname);
	if (bytes)
		(*env)->ReleaseByteArrayElements(env, code, bytes, JNI_ABORT);
	return rc;
}

jint JNI_FN(imageAddFile)(JNIEnv *env, jclass cls, jlong image, jstring path, jlong offset, jlong size, jlong address)
{
	(void)cls;
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);

	if (!p)
		return -1;
	int rc = kfr_pt_image_add_file(image_of(image), p, (uint64_t)offset, (uint64_t)size, (uint64_t)address);

	(*env)->ReleaseStringUTFChars(env, path, p);
	return rc;
}

jint JNI_FN(imageAddVersion)(JNIEnv *env, jclass cls, jlong image, jlong address, jbyteArray code, jlong from_tsc,
			     jlong until_tsc)
{
	(void)cls;
	jsize n = (*env)->GetArrayLength(env, code);
	jbyte *bytes = (*env)->GetByteArrayElements(env, code, NULL);
	int rc = bytes ? kfr_pt_image_add_version(image_of(image), (uint64_t)address, bytes, (uint64_t)n,
						  (uint64_t)from_tsc, (uint64_t)until_tsc)
		       : -1;

	if (bytes)
		(*env)->ReleaseByteArrayElements(env, code, bytes, JNI_ABORT);
	return rc;
}

jint JNI_FN(imageAddChange)(JNIEnv *env, jclass cls, jlong image, jlong address, jlong size, jlong tsc)
{
	(void)env;
	(void)cls;
	return kfr_pt_image_add_change(image_of(image), (uint64_t)address, (uint64_t)size, (uint64_t)tsc);
}

jint JNI_FN(imageAddSideband)(JNIEnv *env, jclass cls, jlong image)
{
	(void)env;
	(void)cls;
	return kfr_pt_sideband_add_to_image(image_of(image));
}

jlong JNI_FN(imageCopiedBytes)(JNIEnv *env, jclass cls, jlong image)
{
	(void)env;
	(void)cls;
	return (jlong)image_of(image)->copied_bytes;
}

void JNI_FN(imageFree)(JNIEnv *env, jclass cls, jlong image)
{
	(void)env;
	(void)cls;
	kfr_pt_image_free(image_of(image));
}

static void read_cpu(JNIEnv *env, jlongArray packed, struct kfr_pt_cpu *cpu)
{
	jlong v[CPU_SLOTS] = {0};

	if ((*env)->GetArrayLength(env, packed) >= CPU_SLOTS)
		(*env)->GetLongArrayRegion(env, packed, 0, CPU_SLOTS, v);
	cpu->intel = (int)v[CPU_INTEL];
	cpu->family = (int)v[CPU_FAMILY];
	cpu->model = (int)v[CPU_MODEL];
	cpu->stepping = (int)v[CPU_STEPPING];
	cpu->mtc_freq = (uint32_t)v[CPU_MTC];
	cpu->nom_freq = (uint32_t)v[CPU_NOM];
	cpu->cpuid15_eax = (uint32_t)v[CPU_15EAX];
	cpu->cpuid15_ebx = (uint32_t)v[CPU_15EBX];
	cpu->has_time = (int)v[CPU_HAS_TIME];
	cpu->time_shift = (uint32_t)v[CPU_SHIFT];
	cpu->time_mult = (uint32_t)v[CPU_MULT];
	cpu->time_zero = (uint64_t)v[CPU_ZERO];
}

jlongArray JNI_FN(decode)(JNIEnv *env, jclass cls, jlong image, jobject direct, jbyteArray heap, jint offset,
			  jint length, jlongArray cpu_packed, jlong max_insns, jlong max_ms, jintArray stops,
			  jlongArray totals, jlongArray ips)
{
	(void)cls;
	struct kfr_pt_cpu cpu;
	struct kfr_pt_decode_out out = {0};
	const uint8_t *trace = NULL;
	uint8_t *copy = NULL;

	read_cpu(env, cpu_packed, &cpu);
	if (offset < 0 || length < 0)
		return NULL;
	if (direct) {
		uint8_t *base = (*env)->GetDirectBufferAddress(env, direct);

		if (!base || (*env)->GetDirectBufferCapacity(env, direct) < (jlong)offset + length)
			return NULL;
		trace = base + offset;
	} else {
		/* a copy: decoding takes milliseconds, too long to hold a critical region (it blocks GC) */
		copy = malloc(length ? (size_t)length : 1);
		if (!copy)
			return NULL;
		(*env)->GetByteArrayRegion(env, heap, offset, length, (jbyte *)copy);
		trace = copy;
	}
	if (ips) {
		out.ips_cap = (size_t)(*env)->GetArrayLength(env, ips);
		out.ips = malloc((out.ips_cap ? out.ips_cap : 1) * sizeof(uint64_t));
		if (!out.ips) {
			free(copy);
			return NULL;
		}
	}
	int rc = kfr_pt_decode(image_of(image), trace, (size_t)length, &cpu,
			       max_insns < 0 ? 0 : (uint64_t)max_insns, max_ms < 0 ? 0 : (uint64_t)max_ms, &out);
	jlongArray result = NULL;

	if (rc == 0 && out.nsegments < (size_t)0x7fffffff / SEGMENT_LONGS) {
		result = (*env)->NewLongArray(env, (jsize)(out.nsegments * SEGMENT_LONGS));
		if (result && out.nsegments)
			(*env)->SetLongArrayRegion(env, result, 0, (jsize)(out.nsegments * SEGMENT_LONGS),
						   (const jlong *)out.segments);
	}
	if (result) {
		jint s[KFR_PT_STOPS];
		jlong t[TOT_SLOTS] = {(jlong)out.instructions, out.truncated, (jlong)out.trace_bytes,
				      (jlong)out.wall_ns, (jlong)out.nips};

		for (int i = 0; i < KFR_PT_STOPS; i++)
			s[i] = (jint)out.stops[i];
		if ((*env)->GetArrayLength(env, stops) >= KFR_PT_STOPS)
			(*env)->SetIntArrayRegion(env, stops, 0, KFR_PT_STOPS, s);
		if ((*env)->GetArrayLength(env, totals) >= TOT_SLOTS)
			(*env)->SetLongArrayRegion(env, totals, 0, TOT_SLOTS, t);
		if (ips && out.nips)
			(*env)->SetLongArrayRegion(env, ips, 0, (jsize)out.nips, (const jlong *)out.ips);
	}
	free(out.segments);
	free(out.ips);
	free(copy);
	return result;
}
