package org.pclean.ops.cli;

import java.io.PrintWriter;
import org.pclean.casacore.CasacoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code pclean} command. Exit codes as DESIGN.md: 0 success, 2 bad input (one line naming the problem),
 * 1 failure.
 */
@Command(name = "pclean", mixinStandardHelpOptions = true, version = "pclean-java 0.1.0",
    description = "Parallel radio-interferometric CLEAN imaging (CASA tclean semantics) on Apache Kafka.",
    subcommands = {SimulateCommand.class, ListobsCommand.class, BenchCommand.class})
public final class PcleanCli implements Runnable {
  public static final int EXIT_BAD_INPUT = 2;
  public static final int EXIT_FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (try pclean --help)");
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new PcleanCli());
    cl.setExecutionExceptionHandler(PcleanCli::handle);
    return cl;
  }

  /** Bad input (a bad parameter, a missing MS) is one line and exit 2; anything else is exit 1 with the cause. */
  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof IllegalArgumentException) {
      err.println("pclean: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    err.println("pclean: failed: " + e.getMessage());
    if (!(e instanceof CasacoreException) || Boolean.getBoolean("pclean.debug")) {
      e.printStackTrace(err);
    }
    return EXIT_FAILURE;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
