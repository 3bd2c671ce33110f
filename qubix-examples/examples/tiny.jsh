// QUBIX_FLAKE=/path/to/tiny-flake jshell --class-path qubix-examples/target/qubixctl.jar qubix-examples/examples/tiny.jsh
// The tiny test guest (testing/tiny-guest/make-tiny-flake.sh DIR makes its flake) on the microvm backend:
// up, status, recreate (its boot counter on the home disk rises), connect without a client, destroy.
import dev.qubix.*;
import java.nio.file.*;

var flake = Path.of(System.getenv().getOrDefault("QUBIX_FLAKE", "tiny-flake"));
var tiny = Qubix.appliance("tiny").withFlake(flake).withBackend("microvm");

var vm = tiny.up();
System.out.println(vm.status().orElseThrow());
vm = tiny.build().recreate();
System.out.println("RDP answers at " + vm.connect(ConnectOptions.defaults().withoutClient()).endpoint());
vm.destroy(Purge.KEEP_HOME);
System.out.println("destroyed; the home disk (and its boot counter) is kept for the next up()");
/exit
