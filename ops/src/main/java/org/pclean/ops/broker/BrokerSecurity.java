package org.pclean.ops.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * SASL_SSL for the embedded broker, as a secured site runs Kafka: a CA generated for this broker, a broker
 * key store (certificate for localhost and 127.0.0.1 signed by that CA) and a trust store holding the CA, made
 * with the JDK's keytool; SCRAM-SHA-512 users (their credentials written into the metadata when the storage is
 * formatted); StandardAuthorizer with ACLs, nothing allowed without one. The user {@value #ADMIN} is the broker's
 * own (inter-broker) identity and the one super user; grant the others ACLs (see {@link PcleanAcls}).
 */
public final class BrokerSecurity {
  public static final String ADMIN = "admin";
  public static final String MECHANISM = "SCRAM-SHA-512";

  /** What {@link #keep} writes beside the stores: the store password and every user's password. */
  public static final String CREDENTIALS = "credentials.properties";
  /** Days the certificates are valid: {@link #generate}'s (one run, e.g. a test) and {@link #keep}'s (kept data). */
  private static final int TEST_VALIDITY_DAYS = 30;
  private static final int KEPT_VALIDITY_DAYS = 3650;

  private final Path dir;
  private final String storePassword;
  private final Map<String, String> users;

  private BrokerSecurity(Path dir, String storePassword, Map<String, String> users) {
    this.dir = dir;
    this.storePassword = storePassword;
    this.users = users;
  }

  /**
   * Generates the CA and stores under dir and remembers the users (name to password); the admin user is added
   * with a random password. The broker certificate names localhost and 127.0.0.1.
   */
  public static BrokerSecurity generate(Path dir, Map<String, String> users) throws IOException, InterruptedException {
    return generate(dir, null, users);
  }

  /** As {@link #generate(Path, Map)}, with host (a name or an IP address, may be null) also in the certificate. */
  public static BrokerSecurity generate(Path dir, String host, Map<String, String> users)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    String password = secret();
    Map<String, String> all = new LinkedHashMap<>(users);
    all.put(ADMIN, secret());
    BrokerSecurity s = new BrokerSecurity(dir, password, Map.copyOf(all));
    s.makeStores(host, TEST_VALIDITY_DAYS);
    return s;
  }

  /**
   * The security of a broker whose data is kept across restarts: SCRAM credentials live in the metadata from
   * the first format on, so a restart must present the same ones. Loads dir's stores and credentials when
   * {@value #CREDENTIALS} is there; otherwise generates them (the named users get random passwords) and writes
   * the credentials, readable by the owner only.
   */
  public static BrokerSecurity keep(Path dir, String host, List<String> userNames)
      throws IOException, InterruptedException {
    Path file = dir.resolve(CREDENTIALS);
    if (Files.exists(file)) {
      Properties p = new Properties();
      try (var in = Files.newInputStream(file)) {
        p.load(in);
      }
      Map<String, String> users = new LinkedHashMap<>();
      for (String key : p.stringPropertyNames()) {
        if (key.startsWith("user.")) {
          users.put(key.substring("user.".length()), p.getProperty(key));
        }
      }
      String password = p.getProperty("store.password");
      if (password == null || !users.containsKey(ADMIN)) {
        throw new IOException(file + " is not a pclean broker's credentials file (no store.password or admin user)");
      }
      return new BrokerSecurity(dir, password, Map.copyOf(users));
    }
    Files.createDirectories(dir);
    Map<String, String> all = new LinkedHashMap<>();
    userNames.forEach(u -> all.put(u, secret()));
    all.put(ADMIN, secret());
    BrokerSecurity s = new BrokerSecurity(dir, secret(), Map.copyOf(all));
    s.makeStores(host, KEPT_VALIDITY_DAYS);
    Properties p = new Properties();
    p.setProperty("store.password", s.storePassword);
    s.users.forEach((u, pw) -> p.setProperty("user." + u, pw));
    writeOwnerOnly(file, p, "pclean broker credentials: the SCRAM users formatted into its metadata");
    return s;
  }

  /**
   * Writes the client properties of user at bootstrap to file (owner-only), the file a service or client is
   * given with {@code --kafka-config}.
   */
  public void writeClientConfig(Path file, String bootstrap, String user) throws IOException {
    writeOwnerOnly(file, clientConfig(bootstrap, user), "pclean client of " + bootstrap + " as SCRAM user " + user);
  }

  private static void writeOwnerOnly(Path file, Properties p, String comment) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp",
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    try (var out = Files.newOutputStream(tmp)) {
      p.store(out, comment);
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** The broker properties for a SASL_SSL client listener named SASL_SSL (the controller stays on localhost). */
  Properties brokerProperties() {
    Properties p = new Properties();
    p.put("sasl.enabled.mechanisms", MECHANISM);
    p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
    p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", jaas(ADMIN, users.get(ADMIN)));
    p.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, keyStore().toString());
    p.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, storePassword);
    p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
    p.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, storePassword);
    p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustStore().toString());
    p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, storePassword);
    p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    // ANONYMOUS is only ever the broker talking to its own controller, on the PLAINTEXT listener bound to
    // localhost: clients reach the SASL_SSL listener alone, where every connection authenticates.
    p.put("super.users", "User:" + ADMIN + ";User:ANONYMOUS");
    p.put("allow.everyone.if.no.acl.found", "false");
    return p;
  }

  /** The formatter's SCRAM arguments: every user's credential in the cluster's first metadata. */
  List<String> scramArguments() {
    List<String> out = new ArrayList<>();
    users.forEach((name, password) -> out.add(MECHANISM + "=[name=" + name + ",password=" + password + "]"));
    return out;
  }

  /** Client properties to reach bootstrap as user (with the trust store of this broker's CA). */
  public Properties clientConfig(String bootstrap, String user) {
    String password = users.get(user);
    if (password == null) {
      throw new IllegalArgumentException("no SCRAM user " + user + " on this broker");
    }
    return clientConfig(bootstrap, user, password);
  }

  /** Client properties with any credentials (e.g. wrong ones, to be refused). */
  public Properties clientConfig(String bootstrap, String user, String password) {
    Properties p = new Properties();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
    p.put(SaslConfigs.SASL_MECHANISM, MECHANISM);
    p.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(user, password));
    p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trustStore().toString());
    p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, storePassword);
    p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    return p;
  }

  public Path trustStore() {
    return dir.resolve("truststore.p12");
  }

  Path keyStore() {
    return dir.resolve("broker.p12");
  }

  private static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
        + "\" password=\"" + password + "\";";
  }

  private static String secret() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** CA, broker key pair, its CSR signed by the CA, the chain into the key store, the CA into the trust store. */
  private void makeStores(String host, int validityDays) throws IOException, InterruptedException {
    String days = Integer.toString(validityDays);
    String ca = dir.resolve("ca.p12").toString();
    String broker = keyStore().toString();
    String csr = dir.resolve("broker.csr").toString();
    String crt = dir.resolve("broker.crt").toString();
    String caCrt = dir.resolve("ca.crt").toString();
    // EC keys: generated in milliseconds where RSA takes a good part of a second per key.
    keytool("-genkeypair", "-alias", "ca", "-dname", "CN=pclean embedded CA", "-keyalg", "EC", "-groupname",
        "secp256r1", "-ext", "bc:c", "-validity", days, "-keystore", ca);
    keytool("-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "EC", "-groupname", "secp256r1",
        "-validity", days, "-keystore", broker);
    keytool("-certreq", "-alias", "broker", "-keystore", broker, "-file", csr);
    keytool("-gencert", "-alias", "ca", "-keystore", ca, "-infile", csr, "-outfile", crt, "-rfc", "-validity", days,
        "-ext", "SAN=dns:localhost,ip:127.0.0.1" + subjectName(host));
    keytool("-exportcert", "-alias", "ca", "-keystore", ca, "-rfc", "-file", caCrt);
    keytool("-importcert", "-alias", "ca", "-file", caCrt, "-keystore", broker, "-noprompt");
    keytool("-importcert", "-alias", "broker", "-file", crt, "-keystore", broker, "-noprompt");
    keytool("-importcert", "-alias", "ca", "-file", caCrt, "-keystore", trustStore().toString(), "-noprompt");
  }

  /** host as one more subject alternative name: an IP address as ip:, a name as dns:. */
  private static String subjectName(String host) {
    if (host == null || host.equals("localhost") || host.equals("127.0.0.1")) {
      return "";
    }
    boolean ip = host.matches("[0-9.]+") || host.contains(":");
    return "," + (ip ? "ip:" : "dns:") + host;
  }

  private void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));  // a short-lived JVM: start fast
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", storePassword));
    if (List.of(args).contains("-genkeypair")) {
      cmd.addAll(List.of("-keypass", storePassword));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + out.strip());
    }
  }
}
