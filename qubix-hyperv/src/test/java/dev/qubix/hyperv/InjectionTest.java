package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qubix.ConfigurationException;
import dev.qubix.ManifestException;
import dev.qubix.Operation;
import dev.qubix.Purge;
import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.hyperv.internal.PowerShell;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile values in every string field of the manifest: each is either rejected by validation with
 * a message naming the field, or reaches PowerShell only inside the base64 parameter — never as a
 * separate or visible part of the argument vector.
 */
class InjectionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String STATE = "{\"switchExists\":true,\"hostIpExists\":true,\"netNats\":[],\"vmExists\":true,"
      + "\"vmState\":\"Running\",\"baseImageCached\":false,\"homeDiskExists\":false,\"ipAddresses\":[\"172.21.5.7\"],\"uptimeSeconds\":1}";
  /** JSON pointers of the string fields, relative to the machine. */
  private static final List<String> FIELDS = List.of("/hostName", "/vmName", "/mdnsName", "/rdp/user", "/homeDisk/label",
      "/images/hyperv/package", "/images/home/package", "/hyperv/vmRoot", "/hyperv/switchName", "/hyperv/wslDistro");
  @TempDir Path state;

  static List<String> corpus() {
    List<String> c = new ArrayList<>(List.of(
        "'", "\"", "`", "$", "$(calc)", "$(Remove-Item C:\\ -Recurse)", "${env:PATH}", "@(1,2)", "; calc", "& calc",
        "| calc", "&& calc", "|| calc", "\ncalc", "\r\ncalc", "x\u0000y", "`$(calc)", "'; calc; '", "\"; calc; \"",
        "\u2018calc\u2019", "\u201ccalc\u201d", "\u2019; calc; \u2018", "$null", "$true", "-Force", "--%", "#comment",
        "<# block #>", "@\"\nhere\n\"@", "x`ny", "$([char]65)", "(calc)", "{calc}", "[calc]", "%PATH%", "!calc",
        "^calc", "calc.exe", "..\\..\\Windows", "C:\\Windows\\System32", "\\\\evil\\share", "x:y", "a*b", "a?b",
        "<calc>", "a>b", "a<b", "\u202eexe.gnp", "\u0000", "\t", " leading", "trailing ", "a b", "\u00e9\u00e8",
        "\u5c71\u7530", "\ud83d\ude00", "'+'", "\"+\"", "'$(calc)'", "\"$(calc)\"", "$env:USERNAME", "Invoke-Expression calc",
        "iex calc", "& { calc }", ". calc", "::qubix-result::{}", "::qubix-error::{\"message\":\"x\"}",
        "{\"a\":1}", "\\\"", "\\'", "%00", "%0a", "../", "..", ".", "-", "--", "+", "=", "==", "a=b", "${}", "$$", "$^",
        "$?", "$_", "@args", "$input", "[System.IO.File]::Delete('x')", "$(iwr evil)", "`0", "`a", "`e",
        "\u200bzero-width", "\ufeffbom", "\u00a0nbsp", "x\u2028y", "x\u0085y", "0x41", "1e9", "-1", "9999999999"));
    c.add("x".repeat(10_000));
    c.add("$(calc)".repeat(1_500));
    c.add("'".repeat(5_000));
    return c;
  }

  @Test
  void corpusIsLargeAndEveryValueIsDistinct() {
    // not a constant: a corpus grown by copy-paste would repeat values and test less than it claims
    assertThat(corpus()).hasSizeGreaterThanOrEqualTo(100).doesNotHaveDuplicates()
        .anyMatch(v -> v.contains("'")).anyMatch(v -> v.contains("$(")).anyMatch(v -> v.contains("`"))
        .anyMatch(v -> v.chars().anyMatch(c -> c > 127)).anyMatch(v -> v.length() >= 10_000);
  }

  /**
   * Every operation that starts PowerShell, through the real backend: recreate, plan (reads state),
   * status, endpoint, start, stop, destroy, purge and gc.
   */
  private static void runEveryOperation(HyperVBackend b, MachineManifest m, ImageSet images) {
    Ops.recreate(b, m, images);
    Ops.plan(b, Operation.RECREATE, m, images);
    b.inspect(m);
    b.endpoint(m);
    Ops.start(b, m);
    Ops.stop(b, m, Duration.ofSeconds(5));
    Ops.destroy(b, m, Purge.KEEP_HOME);
    Ops.destroy(b, m, Purge.EVERYTHING);
    b.gc(m);
  }

  @Test
  void hostileValuesAreRejectedOrTravelOnlyInsideTheBase64Parameter() throws Exception {
    int rejected = 0;
    int carried = 0;
    for (String field : FIELDS) {
      for (String hostile : corpus()) {
        for (String value : field.equals("/hyperv/vmRoot") ? List.of(hostile, "C:\\" + hostile) : List.of(hostile)) {
          MachineManifest m;
          try {
            // read as the engine reads for this backend: core's rules and the hyperv section's
            m = ManifestReader.read(Fixtures.DHCP, "spotibox", patch(field, value), new HyperVBackendProvider().manifestRules());
          } catch (ManifestException e) {
            assertThat(e.getMessage()).as("message for %s", field).contains("/machines/spotibox" + field);
            rejected++;
            continue;
          }
          Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(STATE);
          runEveryOperation(new HyperVBackend(Fixtures.wslContext(state, ps)), m, Fixtures.images(true));
          assertThat(ps.calls).hasSize(9);
          for (List<String> argv : ps.calls) {
            assertOnlyInBase64(argv, value, field);
          }
          carried++;
        }
      }
    }
    assertThat(rejected).isPositive();
    assertThat(carried).isPositive();
  }

  /** Image files come from Nix, but a store path is still outside data: the same rule holds for them. */
  @Test
  void hostileImageFileNamesAreRejectedOrTravelOnlyInsideTheBase64Parameter() throws Exception {
    int rejected = 0;
    int carried = 0;
    for (String hostile : corpus()) {
      String file = "/nix/store/0123456789abcdefghijklmnopqrstuv-spotibox-vhdx/" + hostile;
      ImageSet images;
      try {
        images = new ImageSet(Map.of("hyperv", new Image("hyperv", ImageFormat.VHDX,
            "/nix/store/0123456789abcdefghijklmnopqrstuv-spotibox-vhdx", Path.of(file))));
      } catch (java.nio.file.InvalidPathException e) {
        rejected++;
        continue;
      }
      Fixtures.FakePowerShell ps = new Fixtures.FakePowerShell(STATE);
      HyperVBackend b = new HyperVBackend(Fixtures.wslContext(state, ps));
      try {
        Ops.recreate(b, Fixtures.dhcp(), images);
      } catch (ConfigurationException e) {
        assertThat(e.getMessage()).contains("cannot map");
        assertThat(ps.calls).as("rejected before any process").isEmpty();
        rejected++;
        continue;
      }
      assertThat(ps.calls).hasSize(1);
      assertOnlyInBase64(ps.calls.get(0), hostile, "image file");
      carried++;
    }
    assertThat(rejected + carried).isEqualTo(corpus().size());
    assertThat(carried).isPositive();
  }

  private void assertOnlyInBase64(List<String> argv, String value, String field) throws Exception {
    String script = Fixtures.script(argv);
    String installed = Fixtures.SCRIPTS_WINDOWS;
    assertThat(argv).hasSize(10);
    assertThat(argv.subList(0, 7)).as("fixed arguments for %s", field).containsExactly("powershell.exe", "-NoLogo", "-NoProfile",
        "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File");
    assertThat(argv.get(7)).as("script path for %s", field).startsWith(installed).matches(".*\\\\[0-9a-f]{16}\\\\" + script.replace(".", "\\."));
    assertThat(PowerShell.SCRIPTS).contains(script);
    assertThat(argv.get(8)).isEqualTo("-Params");
    String b64 = argv.get(9);
    assertThat(b64).matches("[A-Za-z0-9+/]+={0,2}");
    if (value.strip().length() >= 4) {
      assertThat(b64).as("base64 for %s", field).doesNotContain(value);
    }
    JsonNode decoded = JSON.readTree(new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8));
    assertThat(decoded.isObject()).isTrue();
    JsonNode vmName = decoded.path("vmName");
    if (field.equals("/vmName") && !vmName.isMissingNode()) {
      assertThat(vmName.asText()).as("the value arrives intact, as data").isEqualTo(value);
    }
  }

  private static String patch(String field, String value) {
    String[] parts = field.substring(1).split("/");
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode o = root;
    for (int i = 0; i < parts.length - 1; i++) {
      o = o.putObject(parts[i]);
    }
    o.put(parts[parts.length - 1], value);
    return root.toString();
  }
}
