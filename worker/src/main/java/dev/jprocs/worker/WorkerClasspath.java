package dev.jprocs.worker;

import java.util.List;

/**
 * What a worker JVM needs on its classpath, named by one class from each jar: this module, the
 * protocol, Jackson and EJML (the {@code anm} task). A launcher puts the jar (or class directory)
 * of each on the worker's classpath and nothing else of its own, so workers start lean.
 *
 * <p>A runtime dependency added to this module's pom must get an anchor here too; otherwise the
 * tasks that need it fail to load in the workers (the pool tests that run every task catch it).
 */
public final class WorkerClasspath {
  /** One class from each jar a worker needs, this module's first. */
  public static final List<String> ANCHORS = List.of(
      "dev.jprocs.worker.WorkerMain",
      "dev.jprocs.protocol.Codec",
      "com.fasterxml.jackson.databind.ObjectMapper",
      "com.fasterxml.jackson.core.JsonFactory",
      "com.fasterxml.jackson.annotation.JsonTypeInfo",
      "org.ejml.data.DMatrixRMaj",
      "org.ejml.dense.row.CommonOps_DDRM");

  private WorkerClasspath() {}
}
