package dev.qubix.spi;

import dev.qubix.ConfigurationException;
import dev.qubix.HomeMode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a plan needs to know about the home disk, beside the operation: the backup a restore or
 * delete names (or the name a backup takes), the file an export writes or an import reads, the mode
 * a recreate gives the VM, and when a recreate backs the home up first. A backend that supports no
 * home operation ignores it: the engine refuses those operations before asking it (see
 * {@link HomeSupport}). Names are checked here, before anything runs.
 */
public record HomeRequest(Optional<String> backup, Optional<Path> file, HomeMode mode, BeforeRecreate beforeRecreate) {

  /** When a recreate backs the home up before it replaces the system disk, and how many of those it keeps. */
  public record BeforeRecreate(When when, int keep) {
    public enum When { NEVER, IMAGE_CHANGE, ALWAYS }

    public BeforeRecreate {
      Objects.requireNonNull(when, "when");
      if (keep < 1) {
        throw new ConfigurationException("the number of automatic home backups to keep must be 1 or more, got " + keep);
      }
    }

    /** The default: one backup when the image version changes (a new store path), the newest one kept. */
    public static final BeforeRecreate DEFAULT = new BeforeRecreate(When.IMAGE_CHANGE, 1);
    public static final BeforeRecreate NEVER = new BeforeRecreate(When.NEVER, 1);
  }

  /** Backups Qubix makes itself start with these; a user's name may not (so it is never pruned). */
  public static final String BEFORE_RECREATE = "before-recreate-";
  public static final String BEFORE_RESTORE = "before-restore-";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  public HomeRequest {
    backup = backup == null ? Optional.empty() : backup;
    file = file == null ? Optional.empty() : file.map(p -> p.toAbsolutePath().normalize());
    mode = mode == null ? HomeMode.PERSISTENT : mode;
    beforeRecreate = beforeRecreate == null ? BeforeRecreate.DEFAULT : beforeRecreate;
    backup.ifPresent(HomeRequest::requireValidName);
  }

  /** Nothing asked: persistent, default backups before a recreate. */
  public static final HomeRequest NONE = new HomeRequest(Optional.empty(), Optional.empty(), HomeMode.PERSISTENT,
      BeforeRecreate.DEFAULT);

  public static HomeRequest backup(String name) {
    return new HomeRequest(Optional.ofNullable(name), Optional.empty(), HomeMode.PERSISTENT, BeforeRecreate.DEFAULT);
  }

  public static HomeRequest file(Path file) {
    return new HomeRequest(Optional.empty(), Optional.of(Objects.requireNonNull(file, "file")), HomeMode.PERSISTENT,
        BeforeRecreate.DEFAULT);
  }

  /**
   * A backup name is a file name in the VM's backups folder: letters, digits, {@code .}, {@code _}
   * and {@code -}, starting with a letter or digit, at most 64 characters; so never {@code /} and
   * never {@code ..}, and the name cannot leave the folder.
   */
  public static void requireValidName(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
      throw new ConfigurationException("backup name '" + printable(name) + "' is not valid: use letters, digits, '.', '_' "
          + "and '-', starting with a letter or digit, at most 64 characters (no '/' and no '..')");
    }
  }

  /** {@code prefix} and the time, UTC to the second: {@code before-restore-20250102T030405Z}. */
  public static String stamped(String prefix, Instant time) {
    return prefix + STAMP.format(time);
  }

  /** Whether Qubix made the backup itself (its name starts with one of Qubix's prefixes). */
  public static boolean isAutomatic(String name) {
    return name.startsWith(BEFORE_RECREATE) || name.startsWith(BEFORE_RESTORE);
  }

  private static String printable(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(80).forEach(c -> b.append(Character.isISOControl(c) ? "?" : Character.toString(c)));
    return b.toString();
  }
}
