using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HwFence.Cli.Hil;

/// <summary>Reading the hil YAML files (scenarios, rigs): the file, the root mapping, errors with file and line.</summary>
internal static class HilYaml
{
    /// <summary>The file's text; a <see cref="FormatException"/> naming the file and <paramref name="what"/> when it cannot be read.</summary>
    public static string ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"{path}: cannot read the {what} file: {e.Message}");
        }
    }

    /// <summary>The root mapping of the first document; false with "path:line: …" otherwise (never throws).</summary>
    public static bool TryLoadMapping(string text, string path, string shape, out YamlMappingNode root, out string error)
    {
        root = new YamlMappingNode();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            error = $"{path}:{e.Start.Line}: not valid YAML: {e.Message}";
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these (scanner, node loader) on some malformed input instead of a YamlException.
            error = $"{path}:1: not valid YAML: {e.Message}";
            return false;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
        {
            error = $"{path}:1: {shape}";
            return false;
        }

        root = map;
        error = "";
        return true;
    }
}
