using System.Runtime.InteropServices;

using NodeAgent.Cli;

using var cancel = new CancellationTokenSource();

// systemd stops the service with SIGTERM, a terminal sends SIGINT (Ctrl-C) or SIGQUIT (Ctrl-\). Each only cancels the
// token (context.Cancel keeps the runtime from terminating the process), so a write or a container swap in progress
// finishes or rolls back and the run ends through the error boundary: "interrupted", exit 130.
void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    cancel.Cancel();
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Interrupt);
return await NodeAgentCli.RunAsync(args, Console.Out, Console.Error, NodeAgent.Reporting.TerminalStyle.ForConsole(), cancel.Token);
