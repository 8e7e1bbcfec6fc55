#!/usr/bin/env node
// The `schemalint` command of pre-commit's `language: node` hook (package.json at the root):
// pre-commit installs that package globally, which puts only its own bin on PATH, so this
// hands over to schemalint-cli's, which runs the platform package's binary.
"use strict";
require("schemalint-cli/bin/schemalint.js");
