package dev.jprocs.coordinator;

import dev.jprocs.protocol.Message;
import java.util.List;

/**
 * How a worker process ended, with the evidence a person needs.
 *
 * @param exitCode the process's exit status; 128+N when signal N killed it
 * @param goodbye the worker's goodbye, null when it never said one
 * @param problem what the coordinator saw go wrong (a protocol error, a refused handshake, a
 *     fault the worker reported), or null
 * @param stderrTail the last lines the worker wrote to stderr
 * @param lastFrames the last frames each way through its pipe, oldest first
 */
public record WorkerExit(String workerId, long pid, int exitCode, Message.Goodbye goodbye,
    String problem, List<String> stderrTail, List<Frame> lastFrames) {

  /** How much of each frame's line a description shows. */
  private static final int FRAME_CHARS = 160;

  /** True for a worker that said goodbye and exited 0: a retirement, not a death. */
  public boolean clean() {
    return goodbye != null && exitCode == 0 && problem == null;
  }

  /** The name of the signal that ended the process ("SIGKILL"), or null when it exited by itself. */
  public String signal() {
    return exitCode > 128 && exitCode < 128 + 32 ? signalName(exitCode - 128) : null;
  }

  /** "exit 1", or "killed by SIGKILL (exit 137)" when a signal ended it. */
  public String status() {
    String signal = signal();
    return signal == null ? "exit " + exitCode : "killed by " + signal + " (exit " + exitCode + ")";
  }

  /** One paragraph: who, how it ended, what went wrong, and the end of its stderr. */
  public String describe() {
    return describe(null);
  }

  /**
   * As {@link #describe()}, with {@code context} (for example what the worker held) said after
   * what went wrong and before the stderr lines; null for none.
   */
  public String describe(String context) {
    StringBuilder text = new StringBuilder()
        .append(workerId).append(" (pid ").append(pid).append(") ").append(status());
    if (problem != null) {
      text.append(": ").append(problem);
    }
    if (context != null) {
      text.append("; ").append(context);
    }
    if (!lastFrames.isEmpty()) {
      text.append("; last frames:");
      for (Frame frame : lastFrames) {
        text.append("\n  ").append(frame.describe(FRAME_CHARS));
      }
    }
    if (!stderrTail.isEmpty()) {
      text.append("; last stderr lines:");
      for (String line : stderrTail) {
        text.append("\n  | ").append(line);
      }
    }
    return text.toString();
  }

  private static final String[] SIGNALS = {
      null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
      "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"};

  /** The Linux name of signal {@code number}, or "signal N". */
  static String signalName(int number) {
    return number > 0 && number < SIGNALS.length ? SIGNALS[number] : "signal " + number;
  }
}
