package org.pclean.ops.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;

/** A worker as the dashboard lists it: the task it holds (from STARTED events), tasks finished, group membership. */
final class WorkerView {
  final String id;
  volatile boolean live;
  volatile long memberAt;
  private String task;
  private int done;
  private long lastEventMillis;

  WorkerView(String id) {
    this.id = id;
  }

  synchronized void event(JobEvent e) {
    lastEventMillis = e.getTimestampMillis();
    String what = e.getJobId() + " #" + e.getPartitionIndex() + (e.getCycle() == null ? "" : " cycle " + e.getCycle());
    if (e.getType() == JobEventType.STARTED) {
      task = what;
    } else if (e.getType() == JobEventType.PROGRESS) {
      done++;
      if (what.equals(task)) {
        task = null;
      }
    }
  }

  synchronized Map<String, Object> json() {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("id", id);
    w.put("live", live);
    w.put("task", task);
    w.put("tasksDone", done);
    w.put("lastEventMillis", lastEventMillis);
    return w;
  }
}
