package org.pclean.ops.slurm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** SLURM's commands, run as processes: sbatch a script for its job id, scancel a job. */
public final class Sbatch {
  private Sbatch() {}

  /** Submits a script; returns its job id. sbatch's stderr is the message when it refuses. */
  public static String submit(Path script) throws IOException, InterruptedException {
    String out = run(List.of("sbatch", "--parsable", script.toString()), "sbatch " + script);
    String id = out.trim().split(";")[0];  // --parsable: "id" or "id;cluster"
    if (!id.matches("\\d+")) {
      throw new IOException("sbatch " + script + " printed no job id: " + out.trim());
    }
    return id;
  }

  /** Cancels a job (best effort: used to undo half a submission). */
  public static void cancel(String jobId) {
    try {
      run(List.of("scancel", jobId), "scancel " + jobId);
    } catch (IOException e) {
      // nothing more to do: the message was the point, and the caller reports its own failure
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String run(List<String> command, String what) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new IOException(command.get(0) + " is not available here (" + e.getMessage() + "): pclean submit"
          + " needs SLURM's client commands on PATH");
    }
    p.getOutputStream().close();
    List<String> err = new ArrayList<>();
    Thread drain = new Thread(() -> {
      try {
        err.add(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        err.add(e.getMessage());
      }
    });
    drain.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(what + " did not answer within 120 s");
    }
    drain.join();
    if (p.exitValue() != 0) {
      throw new IOException(what + " failed (exit " + p.exitValue() + "): " + String.join("", err).trim());
    }
    return out;
  }
}
