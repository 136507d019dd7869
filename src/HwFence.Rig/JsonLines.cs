namespace HwFence.Rig;

/// <summary>Reads a JSON-lines log with a non-throwing line parser; malformed lines come back as errors naming the source and line number.</summary>
internal static class JsonLines
{
    public delegate bool TryParseLine<T>(string line, out T? value, out string? error) where T : class;

    public static (List<T> Values, List<string> Errors) ReadAll<T>(TextReader reader, string source, TryParseLine<T> parse) where T : class
    {
        var values = new List<T>();
        var errors = new List<string>();
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            if (parse(line, out T? value, out string? error))
            {
                values.Add(value!);
            }
            else
            {
                errors.Add($"{source}:{number}: {error}");
            }
        }

        return (values, errors);
    }
}
