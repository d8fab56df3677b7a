using System.Runtime.InteropServices;

namespace Vod.Storage;

/// <summary>
/// A second name for an existing file (POSIX <c>link(2)</c>): .NET has symbolic links but no hard links. A hard link
/// outlives the removal of the original name, which a symbolic link would not.
/// </summary>
internal static partial class HardLink
{
    /// <summary>Links <paramref name="created"/> to <paramref name="existing"/>, or copies it where linking fails
    /// (another file system, a file system without links, Windows).</summary>
    public static void CreateOrCopy(string existing, string created)
    {
        if (OperatingSystem.IsWindows() || Link(existing, created) != 0)
        {
            File.Copy(existing, created);
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
