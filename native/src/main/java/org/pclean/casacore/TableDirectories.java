package org.pclean.casacore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** CASA tables and images are directories: removing one that a failed run left half-written. */
public final class TableDirectories {
  private TableDirectories() {}

  /** Deletes dir and everything below it, best effort (a failure to delete leaves the rest in place). */
  public static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: the caller reports what went wrong
    }
  }
}
