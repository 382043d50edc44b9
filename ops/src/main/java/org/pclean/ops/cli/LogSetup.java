package org.pclean.ops.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The CLI's one log (logback behind slf4j): one line per event — time, level, job id when known, component,
 * message. The console tells pclean's own story at {@code --log-level} (info by default, warn with
 * {@code --quiet}; debug adds each task, partition move and cycle step); Kafka's clients, Streams and the embedded
 * broker reach it only with errors, or also with their warnings at debug. {@code --log-file} receives everything
 * that is logged — pclean's lines and every library's warnings — with stack traces, which the console shows only
 * at debug.
 */
public final class LogSetup {
  /** Time, level, component, [job], message. The job id comes from the MDC key {@link #JOB}. */
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0}%replace( [%X{job}]){' \\[\\]', ''}: %msg%n";
  /** The MDC key holding the job a line belongs to. */
  public static final String JOB = "job";
  /** Where the CLI logs a failure with its stack trace: the log file, and the console only when debugging. */
  public static final String FAILURES = "org.pclean.failures";
  private static final String OURS = "org.pclean";

  /** The log flags every command takes. */
  public static final class Options {
    @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL",
        description = "error, warn, info (default) or debug: pclean's lines on the console; debug adds each task's,"
            + " libraries' warnings and stack traces")
    String level = "info";

    @Option(names = "--quiet", scope = ScopeType.INHERIT, description = "warnings and errors only on the console")
    boolean quiet;

    @Option(names = "--log-file", scope = ScopeType.INHERIT, paramLabel = "PATH",
        description = "also write every line, libraries' warnings and stack traces included, to PATH")
    Path file;

    Level consoleLevel() {
      Level l = switch (level.trim().toLowerCase(Locale.ROOT)) {
        case "error" -> Level.ERROR;
        case "warn", "warning" -> Level.WARN;
        case "info" -> Level.INFO;
        case "debug" -> Level.DEBUG;
        default -> throw new IllegalArgumentException("--log-level must be error, warn, info or debug, got '" + level
            + "'");
      };
      return quiet && !l.isGreaterOrEqual(Level.WARN) ? Level.WARN : l;
    }

    boolean debug() {
      return consoleLevel() == Level.DEBUG;
    }
  }

  private LogSetup() {}

  /** Replaces whatever logging was configured with the one the flags ask for. */
  public static void apply(Options o) {
    Level console = o.consoleLevel();
    boolean debug = o.debug();
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);  // libraries: warnings and errors (their debug would drown everything)
    // With a log file, pclean's story is kept there even when the console is quiet.
    ctx.getLogger(OURS).setLevel(o.file != null && console.isGreaterOrEqual(Level.WARN) ? Level.INFO : console);

    ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
    out.setTarget("System.err");
    attach(ctx, root, out, PATTERN + (debug ? "" : "%nopex"), new ConsoleFilter(console, debug));
    if (o.file != null) {
      FileAppender<ILoggingEvent> file = new FileAppender<>();
      file.setFile(o.file.toString());
      file.setAppend(true);
      attach(ctx, root, file, "%d{yyyy-MM-dd} " + PATTERN, null);
    }
  }

  private static void attach(LoggerContext ctx, Logger root, OutputStreamAppender<ILoggingEvent> a, String pattern,
      Filter<ILoggingEvent> filter) {
    PatternLayoutEncoder enc = new PatternLayoutEncoder();
    enc.setContext(ctx);
    enc.setPattern(pattern);
    enc.start();
    a.setContext(ctx);
    a.setEncoder(enc);
    if (filter != null) {
      filter.start();
      a.addFilter(filter);
    }
    a.start();
    root.addAppender(a);
  }

  /** The console: pclean's lines from its level; libraries (Kafka, the broker) only at ERROR, unless debugging. */
  private static final class ConsoleFilter extends Filter<ILoggingEvent> {
    private final Level ours;
    private final boolean debug;

    ConsoleFilter(Level ours, boolean debug) {
      this.ours = ours;
      this.debug = debug;
    }

    @Override
    public FilterReply decide(ILoggingEvent e) {
      if (e.getLoggerName().equals(FAILURES) && !debug) {
        return FilterReply.DENY;  // the one-line "pclean: failed: ..." on stderr already said it
      }
      boolean pclean = e.getLoggerName().startsWith(OURS);
      boolean show = pclean ? e.getLevel().isGreaterOrEqual(ours) : debug || e.getLevel().isGreaterOrEqual(Level.ERROR);
      return show ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
  }
}
