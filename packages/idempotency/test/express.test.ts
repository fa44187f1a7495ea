import { describeDraftCases } from './draft-cases';

describeDraftCases('express');
