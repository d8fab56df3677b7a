using Spectre.Console;

namespace Vod.Load.Tests.Infrastructure;

/// <summary>A console as in CI: no colours, not interactive (so the progress prints plain lines), written to a text writer.</summary>
internal static class PlainConsole
{
    public static IAnsiConsole Create(TextWriter output) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(output),
    });
}
