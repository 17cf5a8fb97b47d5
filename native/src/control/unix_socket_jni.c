/* JNI of io.kfr.collectors.natives.UnixSockets: the Unix domain stream sockets of kfr's control
 * channel. Java has them only from 16 on (UnixDomainSocketAddress); kfr's agent and command line
 * run on 11 and talk to each other across versions, so both sides use these calls on every JDK.
 * Every call returns a result >= 0 or -errno; none keeps state. */
#define _GNU_SOURCE /* struct ucred, accept4, the GNU strerror_r */
#include <errno.h>
#include <jni.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define JNI_FN(name) JNIEXPORT JNICALL Java_io_kfr_collectors_natives_UnixSockets_##name

/* The socket address of path; -ENAMETOOLONG when it does not fit sun_path. */
static int address(JNIEnv *env, jstring path, struct sockaddr_un *a)
{
	const char *p = (*env)->GetStringUTFChars(env, path, NULL);

	if (!p)
		return -ENOMEM;
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	size_t n = strlen(p);
	int rc = 0;

	if (n >= sizeof(a->sun_path))
		rc = -ENAMETOOLONG;
	else
		memcpy(a->sun_path, p, n);
	(*env)->ReleaseStringUTFChars(env, path, p);
	return rc;
}

jint JNI_FN(listen)(JNIEnv *env, jclass cls, jstring path, jint backlog)
{
	(void)cls;
	struct sockaddr_un a;
	int rc = address(env, path, &a);

	if (rc < 0)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, backlog) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

jint JNI_FN(accept)(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	int c;

	do
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	while (c < 0 && errno == EINTR);
	return c < 0 ? -errno : c;
}

jint JNI_FN(peerUid)(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	return (jint)cred.uid;
}

jint JNI_FN(connect)(JNIEnv *env, jclass cls, jstring path)
{
	(void)cls;
	struct sockaddr_un a;
	int rc = address(env, path, &a);

	if (rc < 0)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* Up to len bytes into b[off..]; 0 at the end of input, -ETIMEDOUT after timeoutMillis without data. */
jint JNI_FN(read)(JNIEnv *env, jclass cls, jint fd, jbyteArray b, jint off, jint len, jint timeoutMillis)
{
	(void)cls;
	char buf[4096];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc;

	do
		rc = poll(&p, 1, timeoutMillis);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return -ETIMEDOUT;
	if (len > (jint)sizeof(buf))
		len = sizeof(buf);
	ssize_t n;

	do
		n = read(fd, buf, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	(*env)->SetByteArrayRegion(env, b, off, (jsize)n, (const jbyte *)buf);
	return (jint)n;
}

jint JNI_FN(write)(JNIEnv *env, jclass cls, jint fd, jbyteArray b, jint off, jint len)
{
	(void)cls;
	char buf[4096];
	jint done = 0;

	while (done < len) {
		jint chunk = len - done < (jint)sizeof(buf) ? len - done : (jint)sizeof(buf);

		(*env)->GetByteArrayRegion(env, b, off + done, chunk, (jbyte *)buf);
		jint put = 0;

		while (put < chunk) {
			ssize_t n = send(fd, buf + put, (size_t)(chunk - put), MSG_NOSIGNAL);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			put += (jint)n;
		}
		done += chunk;
	}
	return done;
}

jint JNI_FN(shutdownOutput)(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	return shutdown(fd, SHUT_WR) < 0 ? -errno : 0;
}

/* Also wakes a thread blocked in accept on fd (shutdown first: close alone does not). */
jint JNI_FN(close)(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	shutdown(fd, SHUT_RDWR);
	return close(fd) < 0 ? -errno : 0;
}

/* The text of an errno (strerror), for one-line messages. */
jstring JNI_FN(describe)(JNIEnv *env, jclass cls, jint error)
{
	(void)cls;
	char buf[128];
	const char *s = strerror_r(error, buf, sizeof(buf));

	return (*env)->NewStringUTF(env, s);
}
