package org.pclean.casacore;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A set of outputs (CASA images, FITS files) written under temporary names beside their final ones —
 * {@code <name>.partial-<pid>-<n>} in the same directory — and renamed into place only when every one is written:
 * a run that fails, or a process that is killed, never leaves an output under its final name. The restored image
 * ({@code .image}, {@code .image.tt0}) is renamed last, so its presence means the set is complete. A final name
 * that exists is replaced (whether to replace a user's products is decided before anything is computed, see
 * {@code ExistingProducts}). Temporaries left by a process that no longer runs are removed when the same output is
 * staged again.
 */
public final class StagedOutputs {
  private static final long PID = ProcessHandle.current().pid();
  /** Several writers in one process (in-process workers) may stage the same name: the counter keeps them apart. */
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final Pattern PARTIAL = Pattern.compile("\\.partial-(\\d+)-\\d+$");

  /** final name → temporary name, in the order staged. */
  private final Map<Path, Path> staged = new LinkedHashMap<>();

  /** The temporary name to write target under (the same one if target is staged already). */
  public Path stage(Path target) {
    return staged.computeIfAbsent(target, t -> {
      removeAbandoned(t);
      return t.resolveSibling(t.getFileName() + ".partial-" + PID + "-" + SEQUENCE.incrementAndGet());
    });
  }

  /** The final names staged so far, in order. */
  public List<Path> targets() {
    return new ArrayList<>(staged.keySet());
  }

  /**
   * Renames every staged output into place, the restored image last; returns the final names. A temporary that was
   * never written is an error (nothing of the set is left then).
   */
  public List<Path> commit() {
    List<Path> order = new ArrayList<>();
    staged.keySet().stream().filter(p -> !isRestoredImage(p)).forEach(order::add);
    staged.keySet().stream().filter(StagedOutputs::isRestoredImage).forEach(order::add);
    List<Path> moved = new ArrayList<>();
    try {
      for (Path target : order) {
        Path tmp = staged.get(target);
        if (!Files.exists(tmp)) {
          throw new IllegalStateException("output " + target + " was never written (" + tmp + " is missing)");
        }
        TableDirectories.delete(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        moved.add(target);
      }
    } catch (IOException | RuntimeException e) {
      abort();
      moved.forEach(TableDirectories::delete);  // a part of a set must not stay looking like a product
      throw new IllegalStateException("cannot move the outputs into place: " + e.getMessage(), e);
    }
    staged.clear();
    return order;
  }

  /** Removes every temporary (after a failure): the final names are untouched. */
  public void abort() {
    staged.values().forEach(TableDirectories::delete);
    staged.clear();
  }

  /** {@code <imagename>.image} or {@code <imagename>.image.tt0}: the product whose presence marks a complete set. */
  static boolean isRestoredImage(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".image") || n.endsWith(".image.tt0");
  }

  /** Deletes temporaries of target left by processes that are gone (killed runs), never a live process's. */
  private static void removeAbandoned(Path target) {
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    String prefix = target.getFileName() + ".partial-";
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob(prefix) + "*")) {
      for (Path p : s) {
        Matcher m = PARTIAL.matcher(p.getFileName().toString());
        if (m.find() && p.getFileName().toString().startsWith(prefix)) {
          long pid = Long.parseLong(m.group(1));
          if (pid != PID && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            TableDirectories.delete(p);
          }
        }
      }
    } catch (IOException ignored) {
      // best effort: a leftover temporary never looks like a product
    }
  }

  private static String glob(String literal) {
    return literal.replaceAll("([\\[\\]{}*?\\\\])", "\\\\$1");
  }
}
