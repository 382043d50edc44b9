package org.pclean.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pclean.bus.Topics;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * The Kubernetes manifests of ops/deploy hold together with the services they run: every container runs the image
 * the Dockerfile builds (tag = the project version), its arguments parse as the pclean command they name (after
 * Kubernetes' $(VAR) expansion from the ConfigMap), its probes and Prometheus annotations point at the port that
 * command serves and at endpoints the services have (/health/readiness, /health/liveness, /metrics: served for
 * real in ServiceEndpointsTest), its volumes exist, and KEDA scales the worker Deployment on the workers' group
 * and topic with no more replicas than pclean.tasks has partitions. The image installs every casacore/FFTW
 * library the built native module links (ldd of the .so, owners from dpkg).
 */
class DeployManifestsTest {
  static final Path DEPLOY = Path.of("deploy");
  static final Set<String> ENDPOINTS = Set.of("/health/readiness", "/health/liveness");
  static List<Map<String, Object>> docs = new ArrayList<>();
  static Map<String, String> configMap = new HashMap<>();
  static String version;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    Path k8s = DEPLOY.resolve("kubernetes");
    Map<String, Object> kustomization = new Yaml().load(Files.readString(k8s.resolve("kustomization.yaml")));
    List<String> resources = (List<String>) kustomization.get("resources");
    try (Stream<Path> files = Files.list(k8s)) {
      Set<String> present = new TreeSet<>();
      files.map(f -> f.getFileName().toString()).filter(f -> !f.equals("kustomization.yaml")).forEach(present::add);
      assertEquals(present, new TreeSet<>(resources), "the kustomization lists every manifest");
    }
    for (String r : resources) {
      for (Object doc : new Yaml().loadAll(Files.readString(k8s.resolve(r)))) {
        docs.add((Map<String, Object>) doc);
      }
    }
    for (Map<String, Object> d : of("ConfigMap")) {
      ((Map<String, Object>) d.get("data")).forEach((k, v) -> configMap.put(k, String.valueOf(v)));
    }
    Matcher m = Pattern.compile("<artifactId>pclean-java</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("..", "pom.xml")));
    assertTrue(m.find(), "the root pom's version");
    version = m.group(1).replace("-SNAPSHOT", "");
  }

  static List<Map<String, Object>> of(String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  @SuppressWarnings("unchecked")
  static <T> T at(Map<String, Object> m, String... path) {
    Object o = m;
    for (String p : path) {
      assertTrue(o instanceof Map, "no " + String.join(".", path));
      o = ((Map<String, Object>) o).get(p);
    }
    return (T) o;
  }

  static String name(Map<String, Object> doc) {
    return at(doc, "metadata", "name");
  }

  /** Kubernetes' $(VAR) expansion of container args from the env the ConfigMap gives. */
  static List<String> expand(List<Object> args) {
    List<String> out = new ArrayList<>();
    for (Object a : args) {
      String s = String.valueOf(a);
      Matcher m = Pattern.compile("\\$\\(([A-Z0-9_]+)\\)").matcher(s);
      StringBuilder b = new StringBuilder();
      while (m.find()) {
        String v = configMap.get(m.group(1));
        assertNotNull(v, "$(" + m.group(1) + ") is not in the ConfigMap");
        m.appendReplacement(b, Matcher.quoteReplacement(v));
      }
      m.appendTail(b);
      out.add(b.toString());
    }
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyDeploymentRunsAServiceThatServesItsProbesAndMetrics() {
    List<Map<String, Object>> deployments = of("Deployment");
    Set<String> services = new HashSet<>();
    for (Map<String, Object> d : deployments) {
      String what = "Deployment " + name(d);
      Map<String, Object> labels = at(d, "spec", "selector", "matchLabels");
      assertEquals(labels, at(d, "spec", "template", "metadata", "labels") instanceof Map<?, ?> l
          ? filter((Map<String, Object>) l, labels.keySet()) : null, what + ": the selector matches the pods");
      List<Map<String, Object>> containers = at(d, "spec", "template", "spec", "containers");
      assertEquals(1, containers.size(), what);
      Map<String, Object> c = containers.get(0);
      assertEquals("pclean-java:" + version, c.get("image"), what + ": the image the Dockerfile builds");

      List<String> args = expand((List<Object>) c.get("args"));
      CommandLine.ParseResult parsed = PcleanCli.commandLine().parseArgs(args.toArray(String[]::new));
      assertTrue(parsed.hasSubcommand(), what + ": " + args);
      CommandLine.ParseResult sub = parsed.subcommand();
      services.add(sub.commandSpec().name());
      assertTrue(sub.hasMatchedOption("--kafka-config"), what + ": passes the site's client config");
      assertEquals("/etc/pclean/kafka.properties", String.valueOf(sub.matchedOptionValue("--kafka-config", "")),
          what);

      int httpPort = Integer.parseInt(String.valueOf(sub.matchedOptionValue("--http-port", "-1")));
      List<Map<String, Object>> ports = (List<Map<String, Object>>) c.get("ports");
      Map<String, Object> http = ports.stream().filter(p -> "http".equals(p.get("name"))).findFirst().orElseThrow();
      assertEquals(httpPort, http.get("containerPort"), what + ": the port the service serves is the one declared");
      for (String probe : List.of("readinessProbe", "livenessProbe")) {
        Map<String, Object> get = at(c, probe, "httpGet");
        assertEquals("http", get.get("port"), what + " " + probe);
        assertTrue(ENDPOINTS.contains(get.get("path")), what + " " + probe + ": " + get.get("path"));
      }
      assertEquals("/health/readiness", at(c, "readinessProbe", "httpGet", "path"), what);
      assertEquals("/health/liveness", at(c, "livenessProbe", "httpGet", "path"), what);
      Map<String, Object> annotations = at(d, "spec", "template", "metadata", "annotations");
      assertEquals("true", annotations.get("prometheus.io/scrape"), what);
      assertEquals(String.valueOf(httpPort), annotations.get("prometheus.io/port"), what);
      assertEquals("/metrics", annotations.get("prometheus.io/path"), what);

      List<Map<String, Object>> envFrom = (List<Map<String, Object>>) c.get("envFrom");
      Set<String> configMaps = new HashSet<>();
      of("ConfigMap").forEach(m -> configMaps.add(name(m)));
      envFrom.forEach(e -> assertTrue(configMaps.contains(at(e, "configMapRef", "name")), what + ": " + e));

      Set<String> volumes = new HashSet<>();
      ((List<Map<String, Object>>) at(d, "spec", "template", "spec", "volumes")).forEach(v -> {
        volumes.add((String) v.get("name"));
        if (v.get("persistentVolumeClaim") instanceof Map<?, ?> pvc) {
          assertTrue(of("PersistentVolumeClaim").stream().anyMatch(x -> name(x).equals(pvc.get("claimName"))),
              what + ": claim " + pvc.get("claimName"));
        }
      });
      ((List<Map<String, Object>>) c.get("volumeMounts")).forEach(vm ->
          assertTrue(volumes.contains(vm.get("name")), what + ": mount " + vm.get("name")));
      assertNotNull(at(c, "resources", "requests", "memory"), what + ": a memory request");

      if (sub.commandSpec().name().equals("worker")) {
        long grace = ServiceCommands.seconds(String.valueOf(sub.matchedOptionValue("--shutdown-grace", "30s")),
            "--shutdown-grace")
            .toSeconds();
        int podGrace = at(d, "spec", "template", "spec", "terminationGracePeriodSeconds");
        assertTrue(podGrace > grace, what + ": the pod's grace (" + podGrace + " s) exceeds the worker's (" + grace
            + " s), so a task in hand is finished or handed back before SIGKILL");
      }
    }
    assertEquals(Set.of("worker", "gather", "sink", "snapshot"), services, "a Deployment per service");
  }

  private static Map<String, Object> filter(Map<String, Object> m, Set<String> keys) {
    Map<String, Object> out = new HashMap<>();
    keys.forEach(k -> out.put(k, m.get(k)));
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void kedaScalesTheWorkersOnTheirGroupsLag() {
    List<Map<String, Object>> scaled = of("ScaledObject");
    assertEquals(1, scaled.size());
    Map<String, Object> so = scaled.get(0);
    String target = at(so, "spec", "scaleTargetRef", "name");
    Map<String, Object> worker = of("Deployment").stream().filter(d -> name(d).equals(target)).findFirst()
        .orElseThrow(() -> new AssertionError("scaleTargetRef " + target + " is no Deployment"));
    List<Map<String, Object>> triggers = at(so, "spec", "triggers");
    assertEquals(1, triggers.size());
    Map<String, Object> t = triggers.get(0);
    assertEquals("kafka", t.get("type"));
    Map<String, Object> md = (Map<String, Object>) t.get("metadata");
    assertEquals(Topics.TASKS.name(), md.get("topic"));
    assertEquals(Topics.WORKER_GROUP, md.get("consumerGroup"));
    assertTrue(configMap.containsKey((String) md.get("bootstrapServersFromEnv")),
        "KEDA reads the bootstrap servers from the target's env (the ConfigMap)");
    assertTrue(Integer.parseInt((String) md.get("lagThreshold")) >= 1);

    Map<String, Object> c = ((List<Map<String, Object>>) at(worker, "spec", "template", "spec", "containers")).get(0);
    List<String> args = expand((List<Object>) c.get("args"));
    CommandLine.ParseResult sub = PcleanCli.commandLine().parseArgs(args.toArray(String[]::new)).subcommand();
    assertEquals("worker", sub.commandSpec().name());
    int threads = Integer.parseInt(String.valueOf(sub.matchedOptionValue("--nworkers", "1")));
    int max = at(so, "spec", "maxReplicaCount");
    int min = at(so, "spec", "minReplicaCount");
    assertTrue(min >= 1 && min <= max);
    assertTrue(max * threads <= Topics.TASKS.partitions(), "at most one worker thread per partition of "
        + Topics.TASKS.name() + " (" + Topics.TASKS.partitions() + "): " + max + " replicas x " + threads);
  }

  /** The image's runtime packages include every casacore and FFTW library package the native module links. */
  @Test
  void theImageInstallsWhatTheNativeModuleLinks() throws Exception {
    Path so;
    try (Stream<Path> s = Files.walk(Path.of("..", "native", "target", "classes"))) {
      so = s.filter(p -> p.getFileName().toString().startsWith("libjni") && p.toString().endsWith(".so"))
          .findFirst().orElse(null);
    }
    Assumptions.assumeTrue(so != null, "the native module is not built");
    Assumptions.assumeTrue(onPath("ldd") && onPath("dpkg"), "ldd or dpkg missing: not a Debian machine");
    String dockerfile = Files.readString(DEPLOY.resolve("Dockerfile"));
    assertTrue(dockerfile.contains("COPY ops/target/pclean.jar"), "the image holds the CLI jar");
    assertTrue(dockerfile.contains("-t pclean-java:" + version), "the build line tags the manifests' image");
    Set<String> needed = new TreeSet<>();
    for (String line : run("ldd", so.toString()).split("\n")) {
      Matcher m = Pattern.compile("=>\\s+(\\S+)").matcher(line);
      if (m.find() && !m.group(1).equals("not")) {
        String owner = run("dpkg", "-S", Path.of(m.group(1)).toRealPath().toString());
        String pkg = owner.split(":")[0].trim();
        if (pkg.startsWith("libcasa-") || pkg.startsWith("libfftw3")) {
          needed.add(pkg);
        }
      }
    }
    assertFalse(needed.isEmpty(), "ldd found casacore and FFTW");
    for (String pkg : needed) {
      assertTrue(Pattern.compile("\\s" + Pattern.quote(pkg) + "(\\s|$)", Pattern.MULTILINE).matcher(dockerfile)
          .find(), "the Dockerfile installs " + pkg);
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return out;
  }
}
