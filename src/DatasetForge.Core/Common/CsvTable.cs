using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace DatasetForge.Common;

/// <summary>
/// CSV manifests (CsvHelper): header names are the snake_case of the record's properties unless a [Name] attribute
/// says otherwise; writes are atomic; reads name the file and line of a bad row.
/// </summary>
public static class CsvTable
{
    public static CsvConfiguration Configuration => new(CultureInfo.InvariantCulture)
    {
        PrepareHeaderForMatch = args => args.Header.Trim(),
        MissingFieldFound = null,
        HeaderValidated = null,
        TrimOptions = TrimOptions.None,
        DetectColumnCountChanges = false,
    };

    public static void Write<T>(string path, IEnumerable<T> rows) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            using var csv = new CsvWriter(writer, Configuration);
            csv.Context.RegisterClassMap(SnakeCaseMap<T>());
            csv.WriteRecords(rows);
        });

    public static List<T> Read<T>(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        using var csv = new CsvReader(reader, Configuration);
        csv.Context.RegisterClassMap(SnakeCaseMap<T>());
        try
        {
            return csv.GetRecords<T>().ToList();
        }
        catch (CsvHelperException e)
        {
            var row = e.Context?.Parser?.Row ?? 0;
            throw new InvalidDataException($"{path}:{row}: {e.Message.Split('\n')[0]}", e);
        }
    }

    /// <summary>One row of <see cref="ReadRows"/>: its 1-based line in the file and its fields by header name.</summary>
    public sealed record Row(int Line, IReadOnlyDictionary<string, string> Fields)
    {
        /// <summary>The trimmed field, or null when the column is absent or the cell empty.</summary>
        public string? Get(string column) => Fields.TryGetValue(column, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
    }

    /// <summary>
    /// Reads a CSV by header name for files whose optional columns may be absent (hand-made truth files, other
    /// tools' catalogs). A leading BOM is ignored; every row keeps its line number for messages.
    /// </summary>
    public static (IReadOnlyList<string> Header, IReadOnlyList<Row> Rows) ReadRows(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, Configuration);
        try
        {
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is null)
            {
                throw new InvalidDataException($"{path}: empty file (no header)");
            }

            var header = csv.HeaderRecord.Select(h => h.Trim()).ToArray();
            var rows = new List<Row>();
            while (csv.Read())
            {
                var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < header.Length; i++)
                {
                    fields[header[i]] = csv.TryGetField<string>(i, out var value) ? value ?? string.Empty : string.Empty;
                }

                rows.Add(new Row(csv.Parser.Row, fields));
            }

            return (header, rows);
        }
        catch (CsvHelperException e)
        {
            throw new InvalidDataException($"{path}:{e.Context?.Parser?.Row ?? 0}: {e.Message.Split('\n')[0]}", e);
        }
    }

    public static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var prevLowerOrDigit = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var nextLower = i + 1 < name.Length && char.IsLower(name[i + 1]) && i > 0 && char.IsUpper(name[i - 1]);
                if (prevLowerOrDigit || nextLower)
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static ClassMap SnakeCaseMap<T>()
    {
        var map = new DefaultClassMap<T>();
        map.AutoMap(CultureInfo.InvariantCulture);
        foreach (var member in map.MemberMaps)
        {
            var info = member.Data.Member;
            if (info is null)
            {
                continue;
            }

            var explicitName = info.GetCustomAttributes(typeof(CsvHelper.Configuration.Attributes.NameAttribute), true).Length > 0;
            if (!explicitName)
            {
                member.Name(ToSnakeCase(info.Name));
            }
        }

        foreach (var parameter in map.ParameterMaps)
        {
            var info = parameter.Data.Parameter;
            var explicitName = info.GetCustomAttributes(typeof(CsvHelper.Configuration.Attributes.NameAttribute), true).Length > 0;
            if (!explicitName && info.Name is not null)
            {
                parameter.Name(ToSnakeCase(char.ToUpperInvariant(info.Name[0]) + info.Name[1..]));
            }
        }

        return map;
    }
}
