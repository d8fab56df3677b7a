// vod-load: virtual viewers with quality-of-experience figures (docs/load-testing.md).
using Spectre.Console;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C ends the run early and still reports; a second one kills the tool.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};
return await Vod.Load.LoadTool.RunAsync(args, AnsiConsole.Console, cancel.Token);
