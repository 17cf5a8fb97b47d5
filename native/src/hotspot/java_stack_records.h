/* Java stack records of the HotSpot walker (hotspot_walk.bpf.h), shared by every collector with
 * Java frames, libkfr.so and the Java decoder (io.kfr.collectors.stacks.JavaStackLayout;
 * KfrNative.layout checks the offsets agree). Little-endian, fixed layout. */
#ifndef KFR_JAVA_STACK_RECORDS_H
#define KFR_JAVA_STACK_RECORDS_H

/* java_ref of an event / aggregation key / sample: 0 = the thread is not a known Java thread (or Java
 * frames are off); KFR_JAVA_NO_ANCHOR = a Java thread with no walkable Java frames at the switch
 * (no anchor, and not interrupted in Java code either: e.g. in VM or native code before it set an
 * anchor, or no Java frames yet); KFR_JAVA_LOST = walked, but its record
 * found the stack ring full; KFR_JAVA_UNVERIFIED = an off-CPU event whose context's cached stack was
 * reused without verification (offcpu.bpf.c java_ref_cached: its Java frames are not known exactly, so
 * none are given); otherwise the id of a java stack record sent before (ids are hashes
 * of the frames, never < 16). */
#define KFR_JAVA_NONE       0
#define KFR_JAVA_NO_ANCHOR  1
#define KFR_JAVA_LOST       2
#define KFR_JAVA_UNVERIFIED 3
#define KFR_JAVA_FIRST_REF  16 /* the smallest id of a sent stack */
#define KFR_JAVA_MAX_FRAMES 256

/* Frame kinds, in the top 4 bits of kfr_java_frame.value. */
#define KFR_JF_INTERPRETED 1 /* ref = Method*, x = bci (0x0fffffff: bcp not inside the method), cookie = ConstMethod* >> 3 */
#define KFR_JF_COMPILED    2 /* ref = nmethod (CodeBlob*), x = pc - ref, cookie = compile id */
#define KFR_JF_STUB        3 /* ref = other CodeBlob* (runtime stub, adapter, ...), x = pc - ref, cookie 0 */
#define KFR_JF_TRUNCATED   4 /* more frames than KFR_JAVA_MAX_FRAMES; last frame */
#define KFR_JF_BROKEN      5 /* a read or check failed; last frame; x = KFR_JB_* reason, ref = pc */
#define KFR_JF_COMPILED_PC 6 /* as KFR_JF_COMPILED, but x is an interrupted pc (walk from registers),
                              * not a return address: named from the nearest following debug info */
#define KFR_JF_SHIFT       28
#define KFR_JF_XMASK       0x0fffffffu

/* Why a walk stopped early (KFR_JF_BROKEN frames). */
#define KFR_JB_READ        1 /* user memory not readable */
#define KFR_JB_NO_BLOB     2 /* pc in the code cache but no code blob there */
#define KFR_JB_FRAME_SIZE  3 /* a blob without a usable frame size */
#define KFR_JB_SP_ORDER    4 /* the sender's sp is not above the frame's (corrupt chain) */
#define KFR_JB_UNKNOWN_PC  5 /* pc neither in the interpreter, the code cache nor native code after Java */
#define KFR_JB_PROLOGUE    6 /* started from registers inside a compiled method's prologue: caller unknown */

/* One physical Java frame, 16 bytes; the symbolizer expands compiled frames into inlined ones. */
struct kfr_java_frame {
	__u64 ref;
	__u32 value;  /* kind << KFR_JF_SHIFT | x */
	__u32 cookie;
};

/* Java stack record (its own ring buffer): header then n frames, innermost first. Sent once per id
 * (until the id is forgotten by the kernel's seen-set), before any event referring to it. */
struct kfr_java_stack {
	__u64 id;
	__u32 tid;
	__u16 n;
	__u16 flags;
	struct kfr_java_frame f[KFR_JAVA_MAX_FRAMES];
};
#define KFR_JAVA_STACK_HDR 16

#endif
