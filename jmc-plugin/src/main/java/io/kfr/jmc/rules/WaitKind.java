package io.kfr.jmc.rules;

import io.kfr.jmc.events.Frames;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Why a thread was off-CPU, from the task state, the system call and the stack. Only some kinds
 * are problems worth a warning: waiting for the disk, for a lock, for a CPU. Idle threads (a pool
 * waiting for work, a sleeping poller) are normal however long they wait.
 */
enum WaitKind {
    DISK("disk I/O or page faults (state D)", 1.0),
    LOCK("lock contention (java.util.concurrent)", 1.0),
    /**
     * Blocked with ordinary Java code innermost and no sign of the VM: a contended synchronized
     * block (HotSpot parks the thread under the method that enters it).
     */
    MONITOR("monitor contention in synchronized (blocked in Java code)", 1.0),
    /**
     * Waiting for the VM: libjvm's GC, allocation or safepoint functions on the stack, or blocked in
     * Java code across one of the JVM's GC pauses (jdk.GCPhasePause). JMC's GC rules say more.
     */
    JVM_WAIT("waits for the JVM (GC, allocation stalls, safepoints)", 0.5),
    CPU_QUEUE("CPU queueing (runnable but preempted, state R)", 1.0),
    NETWORK("network I/O", 0.5),
    WAIT("waits for other threads (Object.wait, Condition, Future, join)", 0),
    SLEEP("sleep (Thread.sleep)", 0),
    IDLE("idle waits (a pool or selector waiting for work)", 0),
    PARK("parking (LockSupport.park)", 0),
    OTHER("waits outside Java code", 0);

    /** Java methods (class and method name prefixes) where pools and event loops wait for work. */
    private static final List<String> IDLE_METHODS = List.of("java.util.concurrent.ThreadPoolExecutor.getTask",
            "java.util.concurrent.ForkJoinPool.awaitWork",
            "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue.take",
            "java.util.concurrent.LinkedBlockingQueue.take", "java.util.concurrent.ArrayBlockingQueue.take",
            // a worker polling its queue with a timeout (Kafka's request handlers) waits for work too
            "java.util.concurrent.LinkedBlockingQueue.poll", "java.util.concurrent.ArrayBlockingQueue.poll",
            "java.util.concurrent.LinkedBlockingDeque.take", "java.util.concurrent.LinkedBlockingDeque.poll",
            "java.util.concurrent.PriorityBlockingQueue.take", "java.util.concurrent.PriorityBlockingQueue.poll",
            "java.util.concurrent.DelayQueue.poll",
            "java.util.concurrent.SynchronousQueue", "java.util.concurrent.LinkedTransferQueue",
            "java.util.concurrent.DelayQueue.take", "java.util.TimerThread.mainLoop", "sun.nio.ch.EPoll",
            "sun.nio.ch.EPollSelectorImpl", "sun.nio.ch.SelectorImpl", "java.lang.ref.Reference.waitForReferencePendingList",
            "java.lang.ref.ReferenceQueue.remove", "jdk.internal.ref.CleanerImpl.run", "sun.nio.ch.ServerSocketChannelImpl.accept",
            "sun.nio.ch.NioSocketImpl.accept");
    private static final List<String> LOCK_METHODS = List.of("java.util.concurrent.locks.ReentrantLock.lock",
            "java.util.concurrent.locks.ReentrantLock.lockInterruptibly", "java.util.concurrent.locks.ReentrantLock.tryLock",
            "java.util.concurrent.locks.ReentrantReadWriteLock$ReadLock.lock",
            "java.util.concurrent.locks.ReentrantReadWriteLock$WriteLock.lock",
            "java.util.concurrent.locks.StampedLock.", "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire");
    private static final List<String> WAIT_METHODS = List.of("java.lang.Object.wait",
            "java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject.await",
            "java.util.concurrent.FutureTask.get", "java.util.concurrent.CompletableFuture.get",
            "java.util.concurrent.CompletableFuture.join", "java.util.concurrent.CountDownLatch.await",
            "java.util.concurrent.Semaphore.acquire", "java.util.concurrent.Semaphore.tryAcquire",
            "java.lang.Thread.join");
    private static final List<String> NETWORK_METHODS = List.of("sun.nio.ch.NioSocketImpl.", "sun.nio.ch.SocketDispatcher.",
            "sun.nio.ch.SocketChannelImpl.", "sun.nio.ch.DatagramChannelImpl.", "java.net.");
    private static final Set<String> NETWORK_KERNEL = Set.of("sk_wait_data", "tcp_recvmsg", "tcp_sendmsg",
            "unix_stream_read_generic", "sk_stream_wait_memory", "wait_woken", "inet_wait_for_connect");
    /** Kernel functions of waits for new work: an acceptor waiting for a connection, a selector for events. */
    private static final Set<String> IDLE_KERNEL = Set.of("inet_csk_accept", "inet_csk_wait_for_connect", "ep_poll",
            "do_epoll_wait");
    /**
     * Java methods (prefixes) a waker hands work over from: whoever they wake was waiting for work.
     * A lock release is not one of them (that wakes a thread held up by the lock).
     */
    private static final List<String> HAND_OVER_METHODS = List.of("java.util.concurrent.LinkedBlockingQueue.offer",
            "java.util.concurrent.LinkedBlockingQueue.put", "java.util.concurrent.ArrayBlockingQueue.offer",
            "java.util.concurrent.ArrayBlockingQueue.put", "java.util.concurrent.LinkedBlockingDeque.offer",
            "java.util.concurrent.LinkedBlockingDeque.put", "java.util.concurrent.SynchronousQueue",
            "java.util.concurrent.LinkedTransferQueue", "java.util.concurrent.PriorityBlockingQueue.offer",
            "java.util.concurrent.DelayQueue.offer", "java.util.concurrent.ThreadPoolExecutor.execute",
            "java.util.concurrent.ScheduledThreadPoolExecutor.", "java.util.concurrent.ForkJoinPool.signalWork",
            "java.util.concurrent.AbstractExecutorService.submit", "sun.nio.ch.EPollSelectorImpl.wakeup",
            "sun.nio.ch.SelectorImpl.wakeup");

    /** libjvm functions a thread blocks in when it waits for the GC or a safepoint. */
    private static final Pattern VM_WAIT_FUNCTION = Pattern.compile(".*(CollectedHeap|attempt_allocation|MemAllocator"
            + "|CollectForAllocation|GCLocker|new_type_array|new_instance|new_array|new_object_array|Safepoint"
            + "|ThreadBlockInVM|Handshake|VMThread|VM_Operation).*");
    private static final Pattern MONITOR_FUNCTION = Pattern.compile(
            ".*(ObjectMonitor|ObjectSynchronizer|monitorenter|complete_monitor_locking).*");

    final String text;
    /** How much of a thread's time in this kind counts towards the rule's score. */
    final double problemWeight;

    WaitKind(String text, double problemWeight) {
        this.text = text;
        this.problemWeight = problemWeight;
    }

    boolean isProblem() {
        return problemWeight > 0;
    }

    /**
     * The kind of one interval; {@code acrossGcPause}: it overlaps one of the JVM's GC pauses (only
     * known for intervals recorded on their own).
     */
    static WaitKind of(String state, IMCStackTrace stack, boolean acrossGcPause) {
        return of(state, stack, acrossGcPause, null, null);
    }

    /**
     * The kind of one interval, with who woke it where known ({@code waker}: kfr.OffCpu's waker
     * field, {@code wakerStack} its stack). The waiting stack says what the thread waited in; the
     * waker says whether that wait held up work: a timed wait that simply ran out (woken by its own
     * timer) and a wait ended by someone handing over work (a queue put, an executor, a selector
     * wake-up) are waits for work, however the waiting side looks.
     */
    static WaitKind of(String state, IMCStackTrace stack, boolean acrossGcPause, String waker,
                       IMCStackTrace wakerStack) {
        return of(state, stack, acrossGcPause, waker, null, wakerStack);
    }

    /**
     * As above, with the waker thread's name: a "monitor" wait that one of the JVM's own threads
     * ended (a compiler thread installing code, the VM thread ending a safepoint) was a wait for the
     * JVM, not for a monitor another Java thread held.
     */
    static WaitKind of(String state, IMCStackTrace stack, boolean acrossGcPause, String waker, String wakerName,
                       IMCStackTrace wakerStack) {
        WaitKind kind = fromStack(state, stack, acrossGcPause);
        if (kind == MONITOR && "thread".equals(waker) && isJvmThread(wakerName)) {
            kind = JVM_WAIT;
        }
        // A lock wait ends with the holder's release. A wait in java.util.concurrent's machinery
        // that another thread ended some other way (a hand-over, a semaphore, its own timeout) was
        // no contention: waiting for a task looks the same from the waiting side.
        if (kind == LOCK && ("timer".equals(waker) || ("thread".equals(waker) && wakerStack != null
                && !Frames.of(wakerStack).isEmpty() && !releasesLock(wakerStack)))) {
            kind = WAIT;
        }
        switch (kind) {
            case LOCK, MONITOR, DISK, CPU_QUEUE, JVM_WAIT, IDLE -> {
                return kind;
            }
            default -> {
                if ("timer".equals(waker) || handsOverWork(wakerStack)) {
                    return IDLE;
                }
                return kind;
            }
        }
    }

    /** HotSpot's own threads that wake Java threads: compilers, the VM thread, GC threads. */
    static boolean isJvmThread(String name) {
        return name != null && (name.equals("VM Thread") || name.startsWith("C1 CompilerThread")
                || name.startsWith("C2 CompilerThread") || name.startsWith("GC Thread") || name.startsWith("G1 ")
                || name.startsWith("VM Periodic Task Thread") || name.startsWith("Sweeper thread")
                || name.startsWith("Service Thread") || name.startsWith("Monitor Deflation Thread"));
    }

    /** Lock releases: the waker of a thread held up by a java.util.concurrent lock runs one of these. */
    private static final List<String> UNLOCK_METHODS = List.of("java.util.concurrent.locks.ReentrantLock.unlock",
            "java.util.concurrent.locks.ReentrantReadWriteLock$ReadLock.unlock",
            "java.util.concurrent.locks.ReentrantReadWriteLock$WriteLock.unlock",
            "java.util.concurrent.locks.StampedLock.unlock", "java.util.concurrent.locks.StampedLock.tryConvert");

    /** The waker's stack releases a lock (or has no Java frames to tell: then it is taken as one). */
    static boolean releasesLock(IMCStackTrace wakerStack) {
        boolean java = false;
        for (IMCFrame f : Frames.of(wakerStack)) {
            if (Frames.isJava(f)) {
                java = true;
                String m = Frames.owner(f) + "." + Frames.name(f);
                // AQS.release (exclusive) is every exclusive lock's release; releaseShared is a
                // semaphore's or a latch's signal
                if (startsWithAny(m, UNLOCK_METHODS) || m.equals("java.util.concurrent.locks.AbstractQueuedSynchronizer.release")) {
                    return true;
                }
            }
        }
        return !java;
    }

    /** The waker's Java frames show it handing over work (see HAND_OVER_METHODS). */
    static boolean handsOverWork(IMCStackTrace wakerStack) {
        for (IMCFrame f : Frames.of(wakerStack)) {
            if (Frames.isJava(f)) {
                if (Stacks.isApplication(f)) {
                    return false;
                }
                if (startsWithAny(Frames.owner(f) + "." + Frames.name(f), HAND_OVER_METHODS)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static WaitKind fromStack(String state, IMCStackTrace stack, boolean acrossGcPause) {
        if ("D".equals(state)) {
            return DISK;
        }
        if ("R".equals(state)) {
            return CPU_QUEUE;
        }
        List<? extends IMCFrame> frames = Frames.of(stack);
        boolean park = false;
        boolean sleep = false;
        for (IMCFrame f : frames) {
            if (Frames.isKernel(f) && IDLE_KERNEL.contains(Frames.name(f))) {
                return IDLE;
            }
            if (Frames.isKernel(f) && NETWORK_KERNEL.contains(Frames.name(f))) {
                return NETWORK;
            }
        }
        // libjvm's own frames (where frame pointers reach them) say what the VM waits for
        for (IMCFrame f : frames) {
            if (Frames.isJava(f)) {
                break;
            }
            if (Frames.isJvm(f) || Frames.isStub(f)) {
                String name = Frames.name(f);
                if (MONITOR_FUNCTION.matcher(name).matches()) {
                    return MONITOR;
                }
                if (VM_WAIT_FUNCTION.matcher(name).matches()) {
                    // a pool thread that left its wait for work (or a sleeper its sleep) into a
                    // safepoint was idle when the safepoint began
                    return waitsForWork(frames) ? IDLE : JVM_WAIT;
                }
            }
        }
        IMCFrame innermost = Stacks.innermostJava(stack);
        if (innermost == null) {
            return OTHER;
        }
        // a monitor enter blocks in the VM directly under the method that holds the synchronized
        // block: the innermost Java frame is ordinary Java code, not a native method. So does a
        // thread stopped for a GC: across a GC pause, that is the likelier reading.
        if (!Frames.isNativeJava(innermost)) {
            if (acrossGcPause) {
                return JVM_WAIT;
            }
            // the JDK selector's own short locks (wakeup's interruptLock, the selector's lock
            // around a select) block a selector on its way into or out of its wait for events,
            // while another thread hands it work (a new connection, a wake-up)
            String method = Frames.owner(innermost) + "." + Frames.name(innermost);
            return method.startsWith("sun.nio.ch.EPollSelectorImpl.") || method.startsWith("sun.nio.ch.SelectorImpl.")
                    ? IDLE : MONITOR;
        }
        // the outermost JDK method that says why, the API the application called (a
        // CountDownLatch.await is a wait even though AQS's acquire methods run under it), unless
        // a pool's wait-for-work method encloses it before the application's own code does (a
        // queue's take() waits on a Condition)
        WaitKind found = null;
        for (IMCFrame f : frames) {
            if (!Frames.isJava(f)) {
                continue;
            }
            if (Stacks.isApplication(f)) {
                break;
            }
            String method = Frames.owner(f) + "." + Frames.name(f);
            if (startsWithAny(method, IDLE_METHODS)) {
                return IDLE;
            }
            WaitKind k = startsWithAny(method, WAIT_METHODS) ? WAIT : startsWithAny(method, LOCK_METHODS) ? LOCK
                    : startsWithAny(method, NETWORK_METHODS) ? NETWORK : null;
            if (k != null) {
                found = k;
            }
            sleep |= method.startsWith("java.lang.Thread.sleep");
            park |= method.startsWith("jdk.internal.misc.Unsafe.park") || method.startsWith("sun.misc.Unsafe.park");
        }
        return found != null ? found : sleep ? SLEEP : park ? PARK : OTHER;
    }

    /** A pool's or event loop's wait-for-work method before the application's own code. */
    private static boolean waitsForWork(List<? extends IMCFrame> frames) {
        for (IMCFrame f : frames) {
            if (Frames.isJava(f)) {
                if (Stacks.isApplication(f)) {
                    return false;
                }
                String method = Frames.owner(f) + "." + Frames.name(f);
                if (startsWithAny(method, IDLE_METHODS) || method.startsWith("java.lang.Thread.sleep")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean startsWithAny(String method, List<String> prefixes) {
        for (String p : prefixes) {
            if (method.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
