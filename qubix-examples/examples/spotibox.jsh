// jshell --class-path qubix-examples/target/qubixctl.jar qubix-examples/examples/spotibox.jsh
// Builds spotibox from ./nix (or $QUBIX_FLAKE), recreates its VM keeping the home disk, and connects.
import dev.qubix.*;
import dev.qubix.event.*;

var spotibox = Qubix.appliance("spotibox")
    .withListener(e -> { if (e instanceof ProgressEvent.StepStarted s) System.out.println(s.description()); });

System.out.println(spotibox.plan(Operation.RECREATE));
var vm = spotibox.build().recreate();
System.out.println(vm.status());
var connection = vm.connect();
System.out.println("RDP at " + connection.endpoint());
// later: vm.stop(); vm.destroy(Purge.KEEP_HOME);
/exit
