#!/usr/bin/env bash
echo fast
