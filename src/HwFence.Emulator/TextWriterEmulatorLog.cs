namespace HwFence.Emulator;

/// <summary>Writes timestamped log lines to a text writer (the CLI's stdout); thread-safe.</summary>
public sealed class TextWriterEmulatorLog(TextWriter writer, TimeProvider? time = null) : IEmulatorLog
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public void Info(string message) => Write("info", message);

    public void Warn(string message) => Write("warn", message);

    private void Write(string level, string message)
    {
        string line = $"{_time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {level}: {message}";
        lock (writer)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
