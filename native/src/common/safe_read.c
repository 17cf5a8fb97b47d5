/* process_vm_readv on our own pid: the kernel copies, so an unmapped or protected address fails
 * with EFAULT instead of faulting this thread (~0.5 us per call here; callers cache results). */
#define _GNU_SOURCE
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/safe_read.h"

/* A block is a page: a block never spans two mappings, and the fields read while naming one frame
 * (Method, ConstMethod, constant pool, Symbols) fall in a few pages. One process_vm_readv costs
 * the same for 8 bytes as for a page (syscall, page lookup). */
#define BLOCK 4096
#define BLOCKS 16

/* One session at a time in the process (callers hold their own lock): the blocks are shared, the
 * flag that says a thread is in the session is per thread. */
static struct {
	unsigned next;
	uintptr_t base[BLOCKS]; /* 0: empty (addresses below 4096 are never read) */
	unsigned char data[BLOCKS][BLOCK];
} blocks;

static __thread bool in_session;

static int read_direct(void *dst, uintptr_t addr, size_t n)
{
	static pid_t self;
	struct iovec local = { dst, n }, remote = { (void *)addr, n };

	if (!self)
		self = getpid();
	return process_vm_readv(self, &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -1;
}

void kfr_safe_read_begin(void)
{
	memset(blocks.base, 0, sizeof(blocks.base));
	blocks.next = 0;
	in_session = true;
}

void kfr_safe_read_end(void)
{
	in_session = false;
}

static int read_cached(void *dst, uintptr_t addr, size_t n)
{
	uintptr_t base = addr & ~(uintptr_t)(BLOCK - 1);
	unsigned i;

	for (i = 0; i < BLOCKS; i++) {
		if (blocks.base[i] == base) {
			memcpy(dst, blocks.data[i] + (addr - base), n);
			return 0;
		}
	}
	i = blocks.next;
	if (read_direct(blocks.data[i], base, BLOCK))
		return -1; /* the field's page is not readable: nor is the field */
	blocks.base[i] = base;
	blocks.next = (i + 1) % BLOCKS;
	memcpy(dst, blocks.data[i] + (addr - base), n);
	return 0;
}

int kfr_safe_read(void *dst, uintptr_t addr, size_t n)
{
	if (addr < 4096 || addr + n < addr)
		return -1;
	if (in_session && n > 0 && n <= BLOCK && (addr / BLOCK) == ((addr + n - 1) / BLOCK))
		return read_cached(dst, addr, n);
	return read_direct(dst, addr, n);
}
