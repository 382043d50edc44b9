package org.pclean.ops.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.pclean.ops.broker.BrokerSecurity;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.broker.PcleanAcls;

/**
 * {@code pclean broker --secure}: the stores and SCRAM credentials kept in a security directory beside the
 * data (SCRAM users are written into the metadata when the storage is first formatted, so a restart must bring
 * the same ones), the user {@value #USER} granted exactly {@link PcleanAcls}, and that user's client properties
 * written for the site's services and clients.
 */
final class SecureBroker {
  /** The SCRAM user pclean's services and clients run as. */
  static final String USER = "pclean";
  /** Left in a secured broker's data directory, so that it is not restarted without its security. */
  static final String MARKER = "pclean-secure";

  private final BrokerSecurity security;
  private final Path securityDir;
  private final boolean temporary;

  private SecureBroker(BrokerSecurity security, Path securityDir, boolean temporary) {
    this.security = security;
    this.securityDir = securityDir;
    this.temporary = temporary;
  }

  /**
   * Refuses a kept data directory whose security does not match: one formatted without --secure has no SCRAM
   * users (every client would be refused), one formatted with it would come back PLAINTEXT without ACLs.
   */
  static void checkDataDirectory(Path dataDir, boolean secure) {
    if (dataDir == null || !Files.exists(dataDir.resolve("meta.properties"))) {
      return;
    }
    boolean wasSecure = Files.exists(dataDir.resolve(MARKER));
    if (secure && !wasSecure) {
      throw new IllegalArgumentException("--secure: " + dataDir + " holds a broker formatted without --secure (its"
          + " metadata has no SCRAM users); give a new --local-directory");
    }
    if (!secure && wasSecure) {
      throw new IllegalArgumentException(dataDir + " holds a secured broker's data: start it with --secure (and the"
          + " same --security-directory), not as PLAINTEXT without ACLs");
    }
  }

  /** Loads or generates the security material (host, when given, goes into the broker certificate). */
  static SecureBroker prepare(Path dataDir, Path securityDir, String host) throws IOException, InterruptedException {
    Path dir = securityDir != null ? securityDir
        : dataDir != null ? dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + ".security")
        : Files.createTempDirectory("pclean-security-");
    boolean formatted = dataDir != null && Files.exists(dataDir.resolve("meta.properties"));
    if (formatted && !Files.exists(dir.resolve(BrokerSecurity.CREDENTIALS))) {
      throw new IllegalArgumentException("--secure: " + dataDir + " was formatted with SCRAM users whose credentials"
          + " are not in " + dir + "; give its --security-directory");
    }
    return new SecureBroker(BrokerSecurity.keep(dir, host, List.of(USER)), dir,
        securityDir == null && dataDir == null);
  }

  /** Removes a temporary security directory (credentials do not outlive a broker whose data does not). */
  void close() {
    if (temporary) {
      org.pclean.casacore.TableDirectories.delete(securityDir);
    }
  }

  BrokerSecurity security() {
    return security;
  }

  /** Grants {@value #USER} pclean's ACLs (idempotent), marks the data directory, writes the client properties. */
  Path grantAndWrite(EmbeddedKafkaBroker broker, Path clientConfig) throws Exception {
    try (Admin admin = Admin.create(broker.clientConfig())) {
      PcleanAcls.grant(admin, PcleanAcls.forPrincipal("User:" + USER),
          security.clientConfig(broker.bootstrapServers(), USER));
    }
    Files.writeString(broker.dataDirectory().resolve(MARKER), "formatted with SCRAM users; security in "
        + securityDir + "\n");
    Path file = clientConfig != null ? clientConfig : securityDir.resolve("client.properties");
    security.writeClientConfig(file, broker.bootstrapServers(), USER);
    return file;
  }
}
