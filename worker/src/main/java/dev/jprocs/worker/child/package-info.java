/**
 * The child's side of {@code dev.jprocs.coordinator.process}: what a JVM started by
 * {@code JvmProcess} runs and reaches. It is in the worker module so that a child needs only the
 * worker's lean classpath (protocol, worker, Jackson) plus the user's classes.
 *
 * <pre>
 *  coordinator JVM                                      child JVM (ChildMain)
 *  ───────────────                                      ─────────────────────
 *  JvmProcess.pipe().send ─► outbox ─► [process-N-stdin] ─ send/eof/reply ─► stdin ─► [NAME-stdin] ChildChannel
 *                                                                                        │ send → PipeEnd inbox → Child.pipe().recv
 *                                                                                        │ reply → the waiting ChildQueue call
 *  PipeEnd inbox ◄── [process-N-stdout] ◄──── send/eof/put/get/close ──── stdout ◄── Child.pipe().send, Child.queue(..).put/get
 *  SharedQueue ◄─────┘ (put/get/close: answered with reply)
 *  output sink ◄──── [process-N-stderr] ◄──── stderr ◄── System.out and System.err of the child
 * </pre>
 *
 * <ul>
 *   <li>{@link dev.jprocs.worker.child.ChildMain}: claims stdout for the wire, watches the
 *       parent, runs the target (a main class, a Runnable, or a task by name).
 *   <li>{@link dev.jprocs.worker.child.Child}: the target's way to its pipe and queues.
 *   <li>{@link dev.jprocs.worker.child.Pipe} and {@link dev.jprocs.worker.child.Queue}: the
 *       contracts both sides share, with {@link dev.jprocs.worker.child.PipeEnd} the one pipe
 *       implementation, fed by each side's reader thread.
 *   <li>{@link dev.jprocs.worker.child.Serialization}: Java value to JSON, with the failing
 *       field named; also used by the coordinator's {@code Pool}.
 * </ul>
 */
package dev.jprocs.worker.child;
