/**
 * Operator control of a running coordinator: {@code scripts/workers.sh} in one terminal acting on
 * the {@code scripts/coordinator.sh} running in another.
 *
 * <pre>
 *  workers.sh ─ WorkersCommand ─ RunDirectory.find(logs, --run) ─► &lt;run-dir&gt;/control.sock
 *     │ ControlClient.call: one JSON line →                            │
 *     │                                    [jprocs-control] ControlServer: accept, read, dispatch
 *     │                                         commands: name → Command (PoolCommands.of(pool))
 *     │ ← one JSON line {"ok":...}                  │ Pool.workers / restartWorker / killWorker / trace
 * </pre>
 *
 * <ul>
 *   <li>{@link dev.jprocs.coordinator.control.RunDirectory}: the run's owner-only directory and
 *       the {@code latest} link; every file a run writes for its operator is named there.
 *   <li>{@link dev.jprocs.coordinator.control.ControlServer}: the socket, the acceptor thread, the
 *       dispatch by {@code "command"}; a new command is one more entry in the map it is started
 *       with.
 *   <li>{@link dev.jprocs.coordinator.control.PoolCommands}: {@code list}, {@code restart},
 *       {@code kill}, {@code trace}, through the pool's public methods only.
 *   <li>{@link dev.jprocs.coordinator.control.ControlClient}: one request, one response, with a
 *       deadline.
 * </ul>
 */
package dev.jprocs.coordinator.control;
