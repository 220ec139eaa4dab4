"""The officials' pages of the Women's Federation (issue 23): federation officers review aid
applications step by step, village cadres submit them, both see the programme records.
Server-rendered in the officials' frame (shared.officials), no script, zh-CN first."""
