package org.pclean.ops.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The ACLs a site grants the principal its pclean services and clients run as (README, "Security"). All are
 * prefixed patterns, so new datasets ({@code pclean.vis.<dataset>}), jobs and snapshot groups need no new grant:
 * <ul>
 *   <li>topics {@code pclean.}: Create (pclean creates its topics when missing), Describe, Read, Write;</li>
 *   <li>topics {@code pclean-gather}: All — the coordinator's (Kafka Streams) changelog and repartition topics,
 *       which it creates, reads, writes and purges;</li>
 *   <li>groups {@code pclean}: Read, Describe — pclean-workers, pclean-subcube-workers (a share group),
 *       pclean-gather, the sinks', snapshot groups; DescribeConfigs — submitters read whether the sub-cube
 *       queue is configured ({@link org.pclean.bus.SubcubeQueue});</li>
 *   <li>transactional ids {@code pclean}: Write, Describe — the coordinator's exactly-once producers;</li>
 *   <li>the cluster: Describe (group and topic placement reads it), IdempotentWrite.</li>
 * </ul>
 */
public final class PcleanAcls {
  /** The prefix of pclean's topics, groups and transactional ids. */
  public static final String PREFIX = "pclean";

  private static final long WAIT_SECONDS = 30;

  private PcleanAcls() {}

  /** Every binding for the principal ("User:name"). */
  public static List<AclBinding> forPrincipal(String principal) {
    List<AclBinding> out = new ArrayList<>();
    ResourcePattern topics = new ResourcePattern(ResourceType.TOPIC, PREFIX + ".", PatternType.PREFIXED);
    for (AclOperation op : List.of(AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE)) {
      out.add(allow(topics, principal, op));
    }
    out.add(allow(new ResourcePattern(ResourceType.TOPIC, PREFIX + "-gather", PatternType.PREFIXED), principal,
        AclOperation.ALL));
    ResourcePattern groups = new ResourcePattern(ResourceType.GROUP, PREFIX, PatternType.PREFIXED);
    out.add(allow(groups, principal, AclOperation.READ));
    out.add(allow(groups, principal, AclOperation.DESCRIBE));
    out.add(allow(groups, principal, AclOperation.DESCRIBE_CONFIGS));  // is the sub-cube queue configured?
    ResourcePattern txn = new ResourcePattern(ResourceType.TRANSACTIONAL_ID, PREFIX, PatternType.PREFIXED);
    out.add(allow(txn, principal, AclOperation.WRITE));
    out.add(allow(txn, principal, AclOperation.DESCRIBE));
    ResourcePattern cluster = new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL);
    out.add(allow(cluster, principal, AclOperation.DESCRIBE));
    out.add(allow(cluster, principal, AclOperation.IDEMPOTENT_WRITE));
    return out;
  }

  /**
   * Creates grants (all for one principal) and returns once they are in force. CreateAcls returns when the
   * controller has committed them; the broker's and the controller's authorizers apply them when their metadata
   * catches up, a moment later (a client started at once was denied its CreateTopics by the controller:
   * "Authorization failed."). In force means: the broker's authorizer lists every grant (DescribeAcls is
   * answered from it) and the controller's lets the principal, connecting with asPrincipal, validate the
   * creation of a pclean topic.
   */
  public static void grant(Admin admin, List<AclBinding> grants, Properties asPrincipal) throws Exception {
    admin.createAcls(grants).all().get(WAIT_SECONDS, TimeUnit.SECONDS);
    String principal = grants.get(0).entry().principal();
    AclBindingFilter theirs = new AclBindingFilter(ResourcePatternFilter.ANY, new AccessControlEntryFilter(
        principal, null, AclOperation.ANY, AclPermissionType.ANY));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    try (Admin them = Admin.create(asPrincipal)) {
      while (!admin.describeAcls(theirs).values().get(WAIT_SECONDS, TimeUnit.SECONDS).containsAll(grants)
          || !mayCreateTopics(them)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the cluster did not apply the ACLs of " + principal + " within "
              + WAIT_SECONDS + " s");
        }
        Thread.sleep(50);
      }
    }
  }

  private static boolean mayCreateTopics(Admin them) throws Exception {
    NewTopic probe = new NewTopic(PREFIX + ".acl-probe", 1, (short) 1);
    try {
      them.createTopics(List.of(probe), new CreateTopicsOptions().validateOnly(true)).all()
          .get(WAIT_SECONDS, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicAuthorizationException) {
        return false;
      }
      throw e;
    }
  }

  private static AclBinding allow(ResourcePattern pattern, String principal, AclOperation op) {
    return new AclBinding(pattern, new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }
}
