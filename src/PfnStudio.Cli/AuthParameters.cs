namespace PfnStudio.Cli;

/// <summary>
/// The auth-params of a <c>WWW-Authenticate</c> challenge (RFC 9110 §11.2): <c>name=token</c> or
/// <c>name="quoted string"</c> (with <c>\</c> escaping the next character), separated by commas.
/// </summary>
internal static class AuthParameters
{
    /// <summary>
    /// The parameters of <paramref name="parameter"/> (the part after the scheme) by lower-cased name; <see langword="null"/>
    /// when it is not a well-formed list (an unterminated quote, a missing <c>=</c>, junk between parameters) or
    /// names one parameter twice (RFC 9110: each name at most once per challenge), so nothing is guessed.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? Parse(string parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (true)
        {
            // Leading and empty list elements are allowed (RFC 9110 §5.6.1): ", ,a=b".
            while (i < parameter.Length && (parameter[i] == ',' || IsWhitespace(parameter[i])))
            {
                i++;
            }

            if (i == parameter.Length)
            {
                return result;
            }

            var name = ReadToken(parameter, ref i);
            SkipWhitespace(parameter, ref i);
            if (name.Length == 0 || i == parameter.Length || parameter[i] != '=')
            {
                return null;
            }

            i++;
            SkipWhitespace(parameter, ref i);
            string? value;
            if (i < parameter.Length && parameter[i] == '"')
            {
                value = ReadQuoted(parameter, ref i);
            }
            else
            {
                value = ReadToken(parameter, ref i);
                value = value.Length == 0 ? null : value;
            }

            if (value is null || !result.TryAdd(name.ToLowerInvariant(), value))
            {
                return null;
            }

            SkipWhitespace(parameter, ref i);
            if (i < parameter.Length && parameter[i] != ',')
            {
                return null;
            }
        }
    }

    // tchar (RFC 9110 §5.6.2).
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private static bool IsWhitespace(char c) => c is ' ' or '\t';

    private static void SkipWhitespace(string text, ref int i)
    {
        while (i < text.Length && IsWhitespace(text[i]))
        {
            i++;
        }
    }

    private static string ReadToken(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && IsTokenChar(text[i]))
        {
            i++;
        }

        return text[start..i];
    }

    // From the opening quote at i; null when it never closes.
    private static string? ReadQuoted(string text, ref int i)
    {
        var value = new System.Text.StringBuilder();
        for (i++; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '"':
                    i++;
                    return value.ToString();
                case '\\' when i + 1 < text.Length:
                    value.Append(text[++i]);
                    break;
                case '\\':
                    return null;
                default:
                    value.Append(text[i]);
                    break;
            }
        }

        return null;
    }
}
