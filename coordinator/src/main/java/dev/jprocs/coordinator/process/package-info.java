/**
 * The rest of Python's {@code multiprocessing}, with a real child JVM behind each idea:
 * {@link dev.jprocs.coordinator.process.JvmProcess} (Process), its pipe (Pipe) and
 * {@link dev.jprocs.coordinator.process.SharedQueue} (Queue). The child's side is
 * {@code dev.jprocs.worker.child}, in the worker module, so a child needs only the worker's lean
 * classpath.
 *
 * <pre>
 *  caller threads               jprocs threads (one set per child)                 child JVM (ChildMain)
 *  ──────────────               ──────────────────────────────────                 ─────────────────────
 *  JvmProcess.start ── ProcessBuilder(WorkerLauncher.childCommand) ─────────────►  runs the target's main
 *  pipe().send ─► outbox ─► [NAME-stdin] ── send / eof / reply lines ──► stdin ─►  [NAME-stdin] → Child.pipe().recv,
 *                    ▲                                                              the waiting Child.queue(..) call
 *  SharedQueue ──────┘ reply (an item, empty, closed)
 *      ▲  put / get / close
 *      └── [NAME-stdout] ◄── send / eof / put / get / close lines ─── stdout ◄──  Child.pipe().send, queue put/get/close
 *  pipe().recv ◄─ PipeEnd inbox ◄─┘
 *  output sink ◄── [NAME-stderr] ◄────────────── stderr ◄─────────────────────────  System.out and System.err
 *  join() ◄── [NAME-exit]: waits for the readers, ends the pipe, drops the child's waiting gets
 * </pre>
 *
 * <ul>
 *   <li>{@code JvmProcess}: one child and its three pipe threads, like the pool's
 *       {@code WorkerHandle}; answers the child's queue requests on its stdout thread, and never
 *       blocks there (a get that must wait is held by the queue, not by the thread).
 *   <li>{@code SharedQueue}: items and waiting gets (local threads and children alike, FIFO), under
 *       its monitor; timeouts of children's gets fire on {@code jprocs-queue-timer}.
 *   <li>Pipe: {@code dev.jprocs.worker.child.PipeEnd} on both sides, fed by each side's reader.
 * </ul>
 *
 * <p>Transport: only the child's own stdin and stdout, held by this JVM alone, so nothing is
 * reachable by another process or user. The lines are the protocol's framing with their own
 * message types ({@code PROTOCOL.md} §12). No child outlives this JVM: it exits when its stdin
 * ends or its parent is gone.
 */
package dev.jprocs.coordinator.process;
