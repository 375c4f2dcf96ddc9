// One Preact + htm binding for every page module.
import { h, render } from 'preact';
import { useState, useEffect, useRef, useMemo, useCallback } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);
export { render, useState, useEffect, useRef, useMemo, useCallback };
