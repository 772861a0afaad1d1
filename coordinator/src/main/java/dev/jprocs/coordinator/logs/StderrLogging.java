package dev.jprocs.coordinator.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * The coordinator's logging, set up in code rather than from a {@code logback.xml}: Logback's XML
 * configurator loaded some 900 classes (an XML parser among them) and took about 0.25 s of every
 * {@code coordinator.sh} start. Logs go to stderr, since stdout carries the report or the JSON
 * Lines output: WARN and above, what workers write to stderr ({@code dev.jprocs.worker.stderr},
 * INFO), and only errors from the Hazelcast client, which warns on each retry of a connection
 * that the coordinator reports in one line of its own.
 *
 * <p>Found by Logback through {@code META-INF/services}. A {@code logback.xml} or
 * {@code logback-test.xml} on the classpath, or {@code -Dlogback.configurationFile}, still wins:
 * this then steps aside.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class StderrLogging extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    ClassLoader loader = StderrLogging.class.getClassLoader();
    if (System.getProperty("logback.configurationFile") != null
        || loader.getResource("logback-test.xml") != null
        || loader.getResource("logback.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    context.getLogger("dev.jprocs.worker.stderr").setLevel(Level.INFO);
    context.getLogger("com.hazelcast").setLevel(Level.ERROR);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
