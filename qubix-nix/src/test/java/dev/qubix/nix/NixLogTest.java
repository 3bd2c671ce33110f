package dev.qubix.nix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressEvent.NixActivity;
import dev.qubix.event.ProgressEvent.NixActivity.Phase;
import dev.qubix.nix.internal.NixLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Both log formats: newer Nix's @nix JSON lines, and the plain lines Nix 2.8 prints without a terminal. */
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
}
