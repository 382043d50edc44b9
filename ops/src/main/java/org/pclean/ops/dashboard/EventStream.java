package org.pclean.ops.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.http.sse.Event;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * The board's changes as server-sent events for one browser: first the whole state (event "state"), then every
 * change as it is applied (event = its type, data = JSON with {@code sentMillis} added). Each subscriber has its
 * own queue, drained as the HTTP connection asks (reactive-streams demand); a browser that stops reading loses
 * its oldest changes, not the board's time. Cancelled (the tab closed): it stops listening.
 */
final class EventStream implements Publisher<Event<String>> {
  private static final int MAX_QUEUED = 2000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JobBoard board;

  EventStream(JobBoard board) {
    this.board = board;
  }

  static String json(Map<String, Object> content) {
    try {
      return JSON.writeValueAsString(content);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write dashboard JSON: " + e.getMessage(), e);
    }
  }

  @Override
  public void subscribe(Subscriber<? super Event<String>> s) {
    Feed f = new Feed(s);
    s.onSubscribe(f);
    f.offer("state", board.state());
    board.addListener(f);
  }

  private final class Feed implements Subscription, JobBoard.Listener {
    private final Subscriber<? super Event<String>> subscriber;
    private final ConcurrentLinkedQueue<Event<String>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger draining = new AtomicInteger();
    private volatile boolean cancelled;

    Feed(Subscriber<? super Event<String>> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void changed(String type, Map<String, Object> content) {
      offer(type, content);
    }

    void offer(String type, Map<String, Object> content) {
      if (cancelled) {
        return;
      }
      Map<String, Object> c = new java.util.LinkedHashMap<>(content);
      c.put("sentMillis", System.currentTimeMillis());
      queue.add(Event.of(json(c)).name(type));
      if (queued.incrementAndGet() > MAX_QUEUED && queue.poll() != null) {
        queued.decrementAndGet();
      }
      drain();
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancel();
        subscriber.onError(new IllegalArgumentException("reactive-streams 3.9: request must be positive"));
        return;
      }
      demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      drain();
    }

    /** One thread at a time delivers; whoever arrives while it does leaves the work to it. */
    private void drain() {
      if (draining.getAndIncrement() != 0) {
        return;
      }
      do {
        while (!cancelled && demand.get() > 0) {
          Event<String> e = queue.poll();
          if (e == null) {
            break;
          }
          queued.decrementAndGet();
          demand.decrementAndGet();
          subscriber.onNext(e);
        }
      } while (draining.decrementAndGet() != 0);
    }

    @Override
    public void cancel() {
      cancelled = true;
      board.removeListener(this);
      queue.clear();
    }
  }
}
