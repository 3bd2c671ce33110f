package dev.qubix.nix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressEvent.NixActivity;
import dev.qubix.event.ProgressEvent.NixActivity.Phase;
import dev.qubix.nix.internal.NixLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Both log formats: @nix JSON lines (recorded from Debian's Nix 2.8 with {@code -L --log-format
 * internal-json}, and synthetic ones) and plain lines.
 */
class NixLogTest {
  private final List<ProgressEvent> events = new CopyOnWriteArrayList<>();
  private final NixLog log = new NixLog(events::add);

  @Test
  void internalJsonBecomesActivitiesInOrder() {
    List.of(
        "@nix {\"action\":\"start\",\"id\":11,\"level\":3,\"parent\":0,\"text\":\"building '/nix/store/0c9w3k-test-vhdx.drv'\",\"type\":105,\"fields\":[\"/nix/store/0c9w3k-test-vhdx.drv\",\"\",1,1]}",
        "@nix {\"action\":\"result\",\"id\":11,\"type\":101,\"fields\":[\"writing the image\"]}",
        "@nix {\"action\":\"start\",\"id\":12,\"level\":4,\"parent\":0,\"text\":\"copying path '/nix/store/aa11-base.vhdx'\",\"type\":100,\"fields\":[]}",
        "@nix {\"action\":\"result\",\"id\":12,\"type\":105,\"fields\":[1048576,4194304,0,0]}",
        "@nix {\"action\":\"stop\",\"id\":12}",
        "@nix {\"action\":\"stop\",\"id\":11}",
        "@nix {\"action\":\"msg\",\"level\":0,\"msg\":\"\\u001b[31;1merror:\\u001b[0m builder failed\"}").forEach(log::accept);

    assertThat(events).containsExactly(
        new NixActivity(11, Phase.STARTED, "build", "building test-vhdx", -1, -1),
        new NixActivity(12, Phase.STARTED, "copy path", "copying path base.vhdx", -1, -1),
        new NixActivity(12, Phase.PROGRESS, "copy path", "", 1048576, 4194304),
        new NixActivity(12, Phase.STOPPED, "copy path", "", -1, -1),
        new NixActivity(11, Phase.STOPPED, "build", "", -1, -1),
        new NixActivity(0, Phase.MESSAGE, "message", "error: builder failed", -1, -1));
    assertThat(log.tail()).contains("writing the image", "error: builder failed");
  }

  @Test
  void plainLinesOfNix28AreUnderstoodToo() {
    log.accept("these 2 derivations will be built:");
    log.accept("building '/nix/store/abc-test-direct.drv'...");
    log.accept("copying path '/nix/store/def-kernel' from 'https://cache.example'...\r");

    assertThat(events).filteredOn(e -> ((NixActivity) e).phase() == Phase.STARTED)
        .extracting(e -> ((NixActivity) e).text())
        .containsExactly("building test-direct", "copying kernel");
    assertThat(log.tail()).last().asString().doesNotContain("\r");
  }

  @Test
  void tailKeepsTheLast40Lines() {
    for (int i = 0; i < 100; i++) {
      log.accept("line " + i);
    }
    assertThat(log.tail()).hasSize(40).first().isEqualTo("line 60");
  }

  @Test
  void garbageAfterTheMarkerIsKeptAsText() {
    log.accept("@nix {not json");

    assertThat(log.tail()).containsExactly("{not json");
  }

  private void feed(String recording) throws IOException {
    try (InputStream in = NixLogTest.class.getResourceAsStream(recording)) {
      new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().forEach(log::accept);
    }
  }

  private List<NixActivity> nix(Phase phase) {
    return events.stream().map(e -> (NixActivity) e).filter(e -> e.phase() == phase).toList();
  }

  @Test
  void recordedNix28BuildOfTwoDerivationsInOrder() throws IOException {
    feed("nix-2.8-internal-json-two-derivations.log");

    assertThat(nix(Phase.STARTED)).extracting(NixActivity::text)
        .containsSubsequence("copying '/tmp/ord'", "building base", "building image")
        .doesNotContain("querying info about missing paths");   // Nix's debug-level activity
    NixActivity base = nix(Phase.STARTED).stream().filter(e -> e.text().equals("building base")).findFirst().orElseThrow();
    NixActivity image = nix(Phase.STARTED).stream().filter(e -> e.text().equals("building image")).findFirst().orElseThrow();
    assertThat(events.indexOf(new NixActivity(base.id(), Phase.STOPPED, "build", "", -1, -1)))
        .isGreaterThan(events.indexOf(base)).isLessThan(events.indexOf(image));
    // the "builds" activity counts derivations done of expected, last 2 of 2
    assertThat(nix(Phase.PROGRESS)).filteredOn(e -> e.kind().equals("builds")).last()
        .extracting(NixActivity::done, NixActivity::expected).containsExactly(2L, 2L);
    assertThat(log.tail()).contains("building base", "writing the image");
    // every started activity is stopped
    assertThat(nix(Phase.STOPPED)).extracting(NixActivity::id)
        .containsExactlyInAnyOrderElementsOf(nix(Phase.STARTED).stream().map(NixActivity::id).toList());
  }

  @Test
  void recordedNix28FailedBuildKeepsBuilderOutputAndNixsError() throws IOException {
    feed("nix-2.8-internal-json-failed-build.log");

    assertThat(log.tail()).contains("the builder says boom");
    assertThat(log.tail()).last().asString()
        .matches("error: builder for '/nix/store/[a-z0-9]{32}-bad\\.drv' failed with exit code 7");
    assertThat(nix(Phase.MESSAGE)).extracting(NixActivity::text).last().asString().startsWith("error: builder for");
  }
}
