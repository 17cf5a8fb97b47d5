package io.kfr.collectors.symbols;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SyscallsTest {
    @Test
    void namesX8664Syscalls() {
        assertEquals("read", Syscalls.name(0));
        assertEquals("futex", Syscalls.name(202));
        assertEquals("nanosleep", Syscalls.name(35));
        assertEquals("clock_nanosleep", Syscalls.name(230));
        assertEquals("fsync", Syscalls.name(74));
        assertEquals("epoll_wait", Syscalls.name(232));
        assertTrue(Syscalls.size() > 350, "table has " + Syscalls.size());
    }

    @Test
    void unknownNumbers() {
        assertNull(Syscalls.name(-1), "-1: not in a syscall");
        assertEquals("syscall_100000", Syscalls.name(100000));
        assertEquals("syscall_-7", Syscalls.name(-7));
    }
}
