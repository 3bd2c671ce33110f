package dev.qubix.nix.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qubix.event.ProgressEvent.NixActivity;
import dev.qubix.event.ProgressEvent.NixActivity.Phase;
import dev.qubix.event.ProgressListener;
import dev.qubix.exec.Tails;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Nix's stderr into {@link NixActivity} events and keeps a readable tail for errors. With
 * {@code -L --log-format internal-json} (in that order: on Nix 2.8 a later {@code -L} switches the
 * format back) Nix prints {@code @nix {…}} JSON lines: activities start and stop, results carry
 * progress counters and build output. Plain lines ({@code building '…'}, {@code copying path '…'})
 * are read too, for a Nix or a wrapper that prints its own format.
 */
public final class NixLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PLAIN_BUILD = Pattern.compile("^building '(/nix/store/[^']+)'.*");
  private static final Pattern PLAIN_COPY = Pattern.compile("^copying path '(/nix/store/[^']+)'.*");
  /** Activity types of Nix's logger (src/libutil/logging.hh). */
  private static final Map<Integer, String> ACTIVITY = Map.ofEntries(
      Map.entry(100, "copy path"), Map.entry(101, "download"), Map.entry(102, "realise"),
      Map.entry(103, "copy paths"), Map.entry(104, "builds"), Map.entry(105, "build"),
      Map.entry(106, "optimise"), Map.entry(107, "verify"), Map.entry(108, "substitute"),
      Map.entry(109, "query"), Map.entry(110, "post-build hook"), Map.entry(111, "wait"));
  private static final int RESULT_BUILD_LOG_LINE = 101;
  private static final int RESULT_PROGRESS = 105;
  private static final int TAIL = 40;
  /** Nix's verbosity levels: 0 error … 3 info, 4 talkative, 5 chatty, 6 debug, 7 vomit. */
  private static final int LEVEL_TALKATIVE = 4;

  private final ProgressListener listener;
  private final Map<Long, String> kinds = new HashMap<>();
  private final Deque<String> tail = new ArrayDeque<>();
  private long plainIds;

  public NixLog(ProgressListener listener) {
    this.listener = listener;
  }

  /** One line of stderr. */
  public synchronized void accept(String rawLine) {
    String line = Tails.stripCr(rawLine);
    if (line.startsWith("@nix ")) {
      json(line.substring(5));
      return;
    }
    keep(line);
    Matcher b = PLAIN_BUILD.matcher(line);
    Matcher c = PLAIN_COPY.matcher(line);
    if (b.matches()) {
      emit(new NixActivity(--plainIds, Phase.STARTED, "build", "building " + storeName(b.group(1)), -1, -1));
    } else if (c.matches()) {
      emit(new NixActivity(--plainIds, Phase.STARTED, "copy path", "copying " + storeName(c.group(1)), -1, -1));
    } else if (!line.isBlank()) {
      emit(new NixActivity(0, Phase.MESSAGE, "message", line, -1, -1));
    }
  }

  /** The last lines Nix printed, for {@code NixBuildException}. */
  public synchronized List<String> tail() {
    return List.copyOf(tail);
  }

  private void json(String text) {
    JsonNode n;
    try {
      n = JSON.readTree(text);
    } catch (Exception e) {
      keep(text);
      return;
    }
    String action = n.path("action").asText();
    long id = n.path("id").asLong();
    switch (action) {
      case "start" -> {
        String kind = ACTIVITY.getOrDefault(n.path("type").asInt(), "activity");
        if (n.path("level").asInt(0) > LEVEL_TALKATIVE) {
          return; // Nix's own debug activities: no event for them, nor for their stop and results
        }
        kinds.put(id, kind);
        String t = n.path("text").asText("");
        if (!t.isEmpty()) {
          keep(t);
        }
        emit(new NixActivity(id, Phase.STARTED, kind, describe(t), -1, -1));
      }
      case "stop" -> {
        String kind = kinds.remove(id);
        if (kind != null) {
          emit(new NixActivity(id, Phase.STOPPED, kind, "", -1, -1));
        }
      }
      case "result" -> {
        int type = n.path("type").asInt();
        JsonNode f = n.path("fields");
        if (type == RESULT_PROGRESS && f.size() >= 2 && kinds.containsKey(id)) {
          emit(new NixActivity(id, Phase.PROGRESS, kinds.getOrDefault(id, "activity"), "", f.get(0).asLong(), f.get(1).asLong()));
        } else if (type == RESULT_BUILD_LOG_LINE && f.size() >= 1) {
          keep(f.get(0).asText());
        }
      }
      case "msg" -> {
        String msg = stripAnsi(n.path("msg").asText(""));
        keep(msg);
        emit(new NixActivity(0, Phase.MESSAGE, "message", msg, -1, -1));
      }
      default -> { }
    }
  }

  /** "building '/nix/store/abc-foo.drv'" → "building foo". */
  private static String describe(String text) {
    Matcher m = Pattern.compile("'(/nix/store/[^']+)'").matcher(text);
    return m.find() ? text.substring(0, m.start()).strip() + " " + storeName(m.group(1)) : text;
  }

  static String storeName(String storePath) {
    String base = storePath.substring(storePath.lastIndexOf('/') + 1);
    int dash = base.indexOf('-');
    String name = dash >= 0 ? base.substring(dash + 1) : base;
    return name.endsWith(".drv") ? name.substring(0, name.length() - 4) : name;
  }

  private void keep(String line) {
    for (String l : stripAnsi(line).split("\n")) {
      if (!l.isBlank()) {
        tail.addLast(l);
        if (tail.size() > TAIL) {
          tail.removeFirst();
        }
      }
    }
  }

  private void emit(NixActivity e) {
    ProgressListener.safely(listener, e);
  }

  private static String stripAnsi(String s) {
    return s.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "");
  }
}
