package org.pclean.ops.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the pclean command line: its exit code and what it printed. */
public record CliRun(int code, String out, String err) {
  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = PcleanCli.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return new CliRun(cl.execute(args), out.toString(), err.toString());
  }
}
