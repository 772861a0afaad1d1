package dev.jprocs.coordinator.process;

import java.util.concurrent.CountDownLatch;

/**
 * A stand-in coordinator run as its own JVM on the test classpath: starts a sleeping child,
 * prints the child's pid on stdout, and waits to be killed, so a test can check that the child
 * does not outlive it.
 */
public final class OrphanMaker {
  private OrphanMaker() {}

  public static void main(String[] args) throws Exception {
    JvmProcess child = JvmProcess.of(Children.Sleeper.class).start();
    System.out.println(child.pid());
    System.out.flush();
    new CountDownLatch(1).await(); // nobody counts down: the test kills this JVM
  }
}
