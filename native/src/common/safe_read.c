/* process_vm_readv on our own pid: the kernel copies, so an unmapped or protected address fails
 * with EFAULT instead of faulting this thread (~0.5 us per call here; callers cache results). */
#define _GNU_SOURCE
#include <sys/uio.h>
#include <unistd.h>

#include "common/safe_read.h"

int kfr_safe_read(void *dst, uintptr_t addr, size_t n)
{
	static pid_t self;
	struct iovec local = { dst, n }, remote = { (void *)addr, n };

	if (addr < 4096 || addr + n < addr)
		return -1;
	if (!self)
		self = getpid();
	return process_vm_readv(self, &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -1;
}
