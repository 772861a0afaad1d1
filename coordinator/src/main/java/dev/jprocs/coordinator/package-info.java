/**
 * The coordinator: a pool of worker JVMs, how work reaches them and how results come back.
 *
 * <pre>
 *  caller threads                     jprocs threads                          worker JVM (one per slot)
 *  ──────────────                     ──────────────                          ─────────────────────────
 *  Pool.map / imap / submit
 *    │ inputs → JSON (bare scalars until sent), cut into Chunks (4096 inputs at most, automatic)
 *    ▼
 *  Scheduler ── pending: Deque&lt;Chunk&gt;
 *    │ dispatch: each worker pulls up to a window of chunks (2, more when they are short)
 *    ▼
 *  WorkerHandle.send ─► outbox ─► [worker-N-stdin]  ── task lines ──►  stdin ─► WorkerLoop ─► Task.apply
 *    └ a short line for a worker that answered all it was sent: written by the dispatching thread
 *                                                                                   │
 *  ResultAssembler ◄── Pool.onResult ◄── [worker-N-stdout] ◄── result lines ── stdout ◄┘
 *    │ byRank[], each rank once                [worker-N-stderr] ◄── stderr (logs, stray prints)
 *    │ outputs as trees; for Pool.results each output's JSON text (a tree when the caller asks)
 *    ▼
 *  caller: map's list, imap's iterator,
 *  submit's future (via jprocs-callbacks)
 *
 *  process exit ─► [jprocs-supervisor] Supervisor.onExit: take back held chunks (charge the running
 *                  one, retry or fail), describe the death once, respawn the slot (backoff, storm
 *                  limit; the booted spare JVM takes it when there is one, and the next spare
 *                  boots) unless WorkerLauncher.canRestart says its source is gone; also kills
 *                  workers over the task timeout
 *
 *  with --cluster, each slot's "process" is a MemberSlot, and its pipes end in a Hazelcast call:
 *  [worker-N-stdin] ─► MemberSlot [worker-N-member] ─ submitToMember(RunChunk) ─► member JVM:
 *                        │                               jprocs-chunks thread ─► WorkerLoop.answer
 *  [worker-N-stdout] ◄── [worker-N-answers] ◄── ChunkAnswer ◄┘   (up to 4 calls in flight, answered in order)
 *  ClusterConnection [hz event threads]: member joined ─► Supervisor.add(new slots);
 *                                        member left, client gave up ─► MemberSlot.memberLeft ─► process exit
 *  [jprocs-supervisor] Pool.breakWithoutMembers: work and no member for --cluster-timeout ─► broken
 * </pre>
 *
 * <p>What each actor reads and writes:
 *
 * <ul>
 *   <li>{@link dev.jprocs.coordinator.Pool}: the public API. Converts inputs to JSON (so a bad
 *       input fails at the call, naming its rank; a bare Integer, Long, Double, Boolean or String
 *       becomes its node only in {@code Chunk.message}), makes a {@code Job} and its chunks, and
 *       turns outcomes back into Java values. It is also the listener of every worker handle.
 *   <li>{@code Scheduler}: the queue of pending chunks and what each live worker holds; hands out
 *       work when a worker is ready or answers. Its monitor guards all of that.
 *   <li>{@code WorkerHandle}: one child process and its three pipe threads. Writes only what the
 *       scheduler dispatched (a short task line for an idle worker on the dispatching thread);
 *       reads protocol lines and reports them (a line of the JVM's own logging on stdout goes
 *       with its stderr); keeps the stderr tail.
 *   <li>{@code ResultAssembler}: one job's outcomes by rank, each held until the caller reads it;
 *       refuses a second outcome for a rank, which makes delivery exactly-once when a chunk was
 *       retried. A job of {@code Pool.results} has the stdout readers keep its outputs as the
 *       lines' JSON text ({@code Scheduler.keepsOutputText}, asked while a line is read), and a
 *       {@link dev.jprocs.coordinator.TaskResult} builds a tree only when asked for one.
 *   <li>{@code Supervisor}: the only code that reacts to a worker's end, on its own thread; it
 *       also replaces workers that retired cleanly (max tasks per worker, graceful restarts),
 *       keeps the spare worker JVM (booted, without a slot, until a slot needs it: an
 *       {@code assign} line makes it that slot's worker), and its thread runs the pool's
 *       task-timeout check.
 *   <li>{@code WorkerLauncher}: the worker command line (lean classpath, JVM flags that keep the
 *       JVM's own output off stdout); or a {@code ThreadProcess} in thread mode; or a
 *       {@code MemberSlot} on a cluster.
 *   <li>{@code ClusterConnection} and {@code MemberSlot} ({@code --cluster}): the Hazelcast client
 *       and the members it sees. A {@code MemberSlot} is a virtual worker on one member, dressed as
 *       a {@code Process}: one thread submits each task line it reads to the member, up to a few
 *       calls ahead, another writes the answers back in that order, so everything above it works
 *       unchanged. Membership events
 *       (Hazelcast's threads) open slots on a member that joins and end the slots of one that
 *       leaves, which the supervisor then treats as deaths, without restarting them. With work pending
 *       and no member left for the connect timeout, the pool breaks rather than wait. The member
 *       side is the {@code cluster} module ({@code dev.jprocs.cluster}).
 *   <li>{@code cli}: {@code scripts/coordinator.sh}: inputs from a file or a task's samples,
 *       JSON Lines output in input order, the report, and {@code ProgressDisplay}, the progress
 *       bar on stderr, one more {@code PoolEvents} listener beside the event log.
 *   <li>{@code process}: the rest of Python's multiprocessing, one child JVM per
 *       {@code JvmProcess} with its pipe and the {@code SharedQueue}s shared with it, over the
 *       child's own stdin and stdout; the child's side is the worker module's
 *       {@code dev.jprocs.worker.child}. The pool's {@code apply}, {@code starmap} and async
 *       calls are in {@code Pool} itself ({@code AsyncResult}).
 *   <li>{@code control}: the operator's way in while a run goes on ({@code scripts/workers.sh}):
 *       {@code RunDirectory} makes the owner-only {@code logs/<run-id>/}; {@code ControlServer}
 *       serves a Unix socket there on its {@code jprocs-control} thread, one JSON line each way,
 *       and acts only through {@code Pool}'s public methods ({@code workers}, {@code restartWorker},
 *       {@code killWorker}, {@code trace}).
 *   <li>{@code logs}: what a run keeps in its directory, fed by {@code PoolEvents} and the
 *       {@code PipeTracer}: {@code EventLog} ({@code events.jsonl}, written on its
 *       {@code jprocs-events} thread; {@code RunSummary} reads it back for the end-of-run summary),
 *       {@code WorkerStderrFiles} (each worker process's stderr), {@code TraceLog} (every frame of a
 *       traced slot, through Logback, one rolled file per slot) and {@code TraceReader}, which
 *       {@code scripts/pipes.sh} ({@code cli.PipesCommand}) reads them with.
 * </ul>
 */
package dev.jprocs.coordinator;
