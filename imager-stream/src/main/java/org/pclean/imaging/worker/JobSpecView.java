package org.pclean.imaging.worker;

import java.util.Properties;
import org.pclean.bus.CompactedTopicView;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;

/** The latest JobSpec of every job (key jobId), read from the compacted pclean.jobs topic. */
public final class JobSpecView extends CompactedTopicView<JobSpec> {
  public JobSpecView(Properties clientConfig) {
    super(clientConfig, Topics.JOBS, Messages.JOB_SPEC);
  }
}
