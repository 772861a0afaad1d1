/**
 * What a run keeps in its directory ({@link dev.jprocs.coordinator.control.RunDirectory}), and how
 * it is read back.
 *
 * <pre>
 *  pool threads ── PoolEvents ──► AllEvents ─┬─► EventLog ─ queue ─► [jprocs-events] ─► events.jsonl
 *                                            │                          RunSummary.read ◄─┘ (end of run)
 *                                            ├─► WorkerStderrFiles ─► worker-N.PID.stderr.log
 *                                            └─► the CLI's own lines (Started..., done with...)
 *  [worker-N-stdin|stdout] ── PipeTracer ──► TraceLog ─► Logback, own context ─► trace/worker-N.jsonl
 *                                                                               (.1 .2 .3 rolled)
 *  scripts/pipes.sh ─ cli.PipesCommand ─ TraceReader: merge by time, --follow ◄─┘
 * </pre>
 *
 * <p>None of these throws into the pool or blocks it: an I/O error is logged once (WARN) and that
 * log stops. All JSON goes through {@link dev.jprocs.protocol.Codec}.
 */
package dev.jprocs.coordinator.logs;
