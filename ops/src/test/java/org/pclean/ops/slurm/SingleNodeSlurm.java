package org.pclean.ops.slurm;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node SLURM (Debian's slurm-wlm) for tests: munged, slurmctld and slurmd started as root with a
 * configuration of their own under a directory, on free ports; nothing of the machine's own SLURM (if any) is
 * touched. {@link #start} says why when it cannot run here, so the test can skip with the reason.
 */
final class SingleNodeSlurm implements AutoCloseable {
  private final Path dir;
  private final Path conf;
  private final List<Process> daemons = new ArrayList<>();
  private Process munged;

  private SingleNodeSlurm(Path dir) {
    this.dir = dir;
    this.conf = dir.resolve("slurm.conf");
  }

  /** The environment SLURM's commands need to find this cluster. */
  Map<String, String> environment() {
    return Map.of("SLURM_CONF", conf.toString());
  }

  /** Starts the daemons; throws IllegalStateException with the reason when SLURM cannot run here. */
  static SingleNodeSlurm start(Path dir) throws Exception {
    for (String cmd : List.of("/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch")) {
      if (!Files.isExecutable(Path.of(cmd))) {
        throw new IllegalStateException(cmd + " is not installed (Debian packages slurm-wlm and munge)");
      }
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException("a test SLURM's daemons run as root, and this is " + System.getProperty("user.name"));
    }
    SingleNodeSlurm s = new SingleNodeSlurm(dir);
    try {
      s.startMunge();
      s.startDaemons();
      s.awaitIdle();
    } catch (Exception e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void startMunge() throws Exception {
    if (run(List.of("bash", "-c", "munge -n | unmunge"), 10) == 0) {
      return;  // a munged is running (the machine's, or a previous test's)
    }
    Path key = Path.of("/etc/munge/munge.key");
    if (!Files.exists(key) && run(List.of("mungekey", "--create"), 30) != 0) {
      throw new IllegalStateException("no munge key at " + key + " and mungekey --create failed");
    }
    Files.createDirectories(Path.of("/run/munge"));
    munged = new ProcessBuilder("/usr/sbin/munged", "--foreground", "--force")
        .redirectOutput(dir.resolve("munged.log").toFile()).redirectErrorStream(true).start();
    for (int i = 0; i < 50 && run(List.of("bash", "-c", "munge -n | unmunge"), 10) != 0; i++) {
      Thread.sleep(100);
    }
    if (run(List.of("bash", "-c", "munge -n | unmunge"), 10) != 0) {
      throw new IllegalStateException("munged did not start: " + Files.readString(dir.resolve("munged.log")));
    }
  }

  private void startDaemons() throws Exception {
    String node = hostname();
    for (String d : List.of("state", "spool", "log")) {
      Files.createDirectories(dir.resolve(d));
    }
    // Resources declared rather than detected (config_overrides): a coordinator and two workers fit on 2 cores.
    Files.writeString(conf, String.join("\n",
        "ClusterName=pclean-test", "SlurmctldHost=" + node + "(127.0.0.1)",
        "SlurmctldPort=" + freePort(), "SlurmdPort=" + freePort(), "SlurmUser=root", "SlurmdUser=root",
        "AuthType=auth/munge", "CredType=cred/munge", "MpiDefault=none", "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none", "JobAcctGatherType=jobacct_gather/none",
        "AccountingStorageType=accounting_storage/none", "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory", "SlurmdParameters=config_overrides", "ReturnToService=2",
        "MinJobAge=600", "KillWait=10",
        "StateSaveLocation=" + dir.resolve("state"), "SlurmdSpoolDir=" + dir.resolve("spool"),
        "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"), "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
        "SlurmctldLogFile=" + dir.resolve("log/slurmctld.log"), "SlurmdLogFile=" + dir.resolve("log/slurmd.log"),
        "NodeName=" + node + " NodeAddr=127.0.0.1 CPUs=8 RealMemory=16000 State=UNKNOWN",
        "PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP", ""));
    daemons.add(new ProcessBuilder("/usr/sbin/slurmctld", "-D", "-i", "-f", conf.toString())
        .redirectOutput(dir.resolve("log/slurmctld.stdout").toFile()).redirectErrorStream(true).start());
    daemons.add(new ProcessBuilder("/usr/sbin/slurmd", "-D", "-N", node, "-f", conf.toString())
        .redirectOutput(dir.resolve("log/slurmd.stdout").toFile()).redirectErrorStream(true).start());
  }

  private void awaitIdle() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String state = "";
    while (System.nanoTime() < deadline) {
      state = output(List.of("sinfo", "-h", "-o", "%T")).trim();
      if (state.equals("idle")) {
        return;
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("the test SLURM's node did not become idle within 60 s (sinfo: '" + state
        + "'); slurmctld log: " + tail(dir.resolve("log/slurmctld.log")));
  }

  /** scontrol's JobState of a job (COMPLETED, FAILED, RUNNING, ...). */
  String jobState(String id) throws Exception {
    String out = output(List.of("scontrol", "show", "job", id));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("JobState=(\\S+)").matcher(out);
    return m.find() ? m.group(1) : "UNKNOWN(" + out.trim() + ")";
  }

  /** scontrol's ExitCode of a job ("0:0" is exit 0, no signal). */
  String exitCode(String id) throws Exception {
    String out = output(List.of("scontrol", "show", "job", id));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(" ExitCode=(\\S+)").matcher(out);
    return m.find() ? m.group(1) : "?";
  }

  String output(List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(environment());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no " + log + ")";
    }
  }

  @Override
  public void close() throws Exception {
    if (Files.exists(conf)) {
      output(List.of("scancel", "--user=root"));
    }
    for (Process p : daemons.stream().sorted((a, b) -> -1).toList()) {  // slurmd before slurmctld
      p.destroy();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (munged != null) {
      munged.destroy();
    }
  }

  private static String hostname() throws Exception {
    Process p = new ProcessBuilder("hostname", "-s").start();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  private static int run(List<String> command, int seconds) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
