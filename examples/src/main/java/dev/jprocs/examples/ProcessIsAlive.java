package dev.jprocs.examples;

import dev.jprocs.coordinator.process.JvmProcess;

/** Python's Process example: a sleeping child is alive until terminated, then stopped by SIGTERM. */
public final class ProcessIsAlive {
  private ProcessIsAlive() {}

  public static void main(String[] args) throws Exception {
    JvmProcess p = JvmProcess.of(Nap.class, "1000");
    System.out.println(p + " " + p.isAlive());   // JvmProcess[process-0, initial] false
    p.start();
    System.out.println(p + " " + p.isAlive());   // JvmProcess[process-0, pid 4711, started] true
    p.terminate();
    p.join();
    System.out.println(p + " " + p.isAlive());   // ..., stopped: killed by SIGTERM (exit 143)] false
    System.out.println("exit code " + p.exitCode());
  }

  /** The child: sleeps the given seconds. */
  public static final class Nap {
    public static void main(String[] args) throws InterruptedException {
      Thread.sleep(Long.parseLong(args[0]) * 1000);
    }
  }
}
